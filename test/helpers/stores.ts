import { join } from 'node:path';
import pg from 'pg';
import { afterAll, onTestFinished } from 'vitest';
import { isPostgresUrl, openStore, type Dialect, type Store } from '../../src/store/index.js';
import { tempDir } from './temp.js';

export const POSTGRES_URL = process.env.PM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The dialects contract tests run against; `PM_TEST_DIALECTS=sqlite` narrows it. */
export const DIALECTS: readonly Dialect[] = (process.env.PM_TEST_DIALECTS ?? 'sqlite,postgres')
  .split(',')
  .map((d) => d.trim())
  .filter((d): d is Dialect => d === 'sqlite' || d === 'postgres');

const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
});

/** A PostgreSQL URL naming a schema of its own, dropped when the test file finishes. */
export function postgresUrl(): string {
  const schema = `pm_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  schemas.push(schema);
  return `${POSTGRES_URL}?schema=${schema}`;
}

/** Where a fresh, empty store of this dialect lives: a SQLite file or a PostgreSQL schema. */
export function storeTarget(dialect: Dialect): string {
  return dialect === 'sqlite' ? join(tempDir(), 'data.db') : postgresUrl();
}

export async function freshStore(dialect: Dialect): Promise<Store> {
  return openStore(storeTarget(dialect));
}

/**
 * `count` stores on one database, closed when the test finishes (their pools would otherwise
 * add up against PostgreSQL's connection limit). PostgreSQL: a store (and pool) each, as
 * separate pm processes have. SQLite: one store shared by all, as a process holds one
 * connection; two in one process would wait on each other's lock synchronously (separate
 * SQLite writers are tested as processes).
 */
export async function storesOn(target: string, count: number): Promise<Store[]> {
  const opened: Store[] = [];
  onTestFinished(async () => {
    for (const store of opened) await store.close();
  });
  for (let i = 0; i < (isPostgresUrl(target) ? count : 1); i++) opened.push(await openStore(target));
  return Array.from({ length: count }, (_, i) => opened[i % opened.length]!);
}
