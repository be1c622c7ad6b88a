/**
 * The schema version this pm writes: the last migration's (migrations/index.ts checks). Apart,
 * so that opening an up-to-date database loads none of the migrations nor Kysely.
 */
export const LATEST_SCHEMA_VERSION = 10;
