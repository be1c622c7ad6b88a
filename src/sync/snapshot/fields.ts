const patterns = new Map<string, RegExp>();

/**
 * One top-level field of a canonical record line (ids, numbers, booleans, null, plain
 * strings): much cheaper than parsing the line when only a few fields are needed.
 */
export function fieldOf(line: string, field: string): unknown {
  let re = patterns.get(field);
  if (!re) {
    re = new RegExp(`[{,]"${field}":("(?:[^"\\\\]|\\\\.)*"|null|-?\\d+|true|false)`);
    patterns.set(field, re);
  }
  const m = re.exec(line);
  return m ? JSON.parse(m[1]!) : undefined;
}

/** The id at the start of a record line in canonical form (no escapes: those take the slow path). */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
export const ID_RE = /^\{"id":"([^"\\\x00-\x1f]{1,64})"/;

/**
 * `ID_RE`'s id as a string of its own: a regex match is a slice of the line and keeps all of
 * it alive, and an import keeps the id of every record until it ends.
 */
export function lineId(line: string): string | undefined {
  const match = ID_RE.exec(line);
  return match ? (JSON.parse(`"${match[1]!}"`) as string) : undefined;
}
