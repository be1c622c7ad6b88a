import { SCHEMA_VERSION, type EntityType } from '../../domain/index.js';

/**
 * Upgrading records of older snapshot schemas. `STEPS[n]` turns a version-n record into a
 * version-(n+1) record; a file of version n goes through every step up to the current one, so
 * pm reads every schema it ever wrote. Schema 1 is the first: files of the source documents'
 * shape are schema 1 too, and fields they leave out get defaults in `normalizeRecord`.
 *
 * When the schema changes: bump SCHEMA_VERSION, add the step from the old version here, add a
 * migration for the database, and keep a file of the old version in test/fixtures.
 */
type Step = (type: EntityType, record: unknown) => unknown;

const STEPS: Readonly<Record<number, Step>> = {};

export function upgradeRecord(from: number, type: EntityType, record: unknown): unknown {
  let upgraded = record;
  for (let version = from; version < SCHEMA_VERSION; version++) {
    const step = STEPS[version];
    if (!step) throw new Error(`no upgrade from snapshot schema ${version} to ${version + 1}`);
    upgraded = step(type, upgraded);
  }
  return upgraded;
}
