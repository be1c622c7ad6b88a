/** Ids per `in (…)` list: well under what SQLite and PostgreSQL bind in one statement. */
const IDS_PER_STATEMENT = 500;

/** `ids` in slices of at most `IDS_PER_STATEMENT`, one statement's worth each. */
export function* idChunks<T>(ids: readonly T[]): Generator<T[]> {
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) yield ids.slice(i, i + IDS_PER_STATEMENT);
}
