import { join } from 'node:path';
import pg from 'pg';
import { defaultLanes } from '../src/domain/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { LocalTracker } from '../src/tracker/index.js';
import { figure, median, timed, type Figure } from './lib.js';

const POSTGRES_URL = process.env.PM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WRITERS = 4;
const EDITS = 400;
const ITEMS = 16;
const RUNS = 3;

/**
 * Writes racing for one database (issue 14): item edits from `WRITERS` writers at once, each
 * edit a read-modify-write transaction through the tracker. On PostgreSQL each writer has a
 * pool of its own, as separate pm processes have; on SQLite they share the process's one
 * connection. Writes are serial on both (one writer at a time per database), so the figure
 * is the writer lock's hand-over rate, next to SQLite's and PostgreSQL's single writer.
 */
export async function storeBench(workdir: string): Promise<Figure[]> {
  const sqlite = await editRates([await openStore(join(workdir, 'data.db'))]);
  const figures = [
    figure(`store: item edits, ${WRITERS} writers at once, SQLite`, sqlite.concurrent, 'edits/s', {
      value: sqlite.serial,
      name: 'one writer, SQLite',
    }),
  ];
  const schema = `pm_bench_${process.pid}`;
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const stores: Store[] = [];
  try {
    for (let i = 0; i < WRITERS; i++) stores.push(await openStore(url));
  } catch (error) {
    for (const store of stores) await store.close();
    process.stdout.write(`store: PostgreSQL skipped, none at ${POSTGRES_URL.replace(/:[^:@/]*@/, '@')} (${String(error)})\n`);
    return figures;
  }
  try {
    const postgres = await editRates(stores);
    figures.push(
      figure('store: item edits, one writer, PostgreSQL', postgres.serial, 'edits/s', {
        value: sqlite.serial,
        name: 'one writer, SQLite',
      }),
      figure(`store: item edits, ${WRITERS} writers at once (a pool each), PostgreSQL`, postgres.concurrent, 'edits/s', {
        value: sqlite.concurrent,
        name: `${WRITERS} writers at once, SQLite`,
      }),
    );
  } finally {
    await dropSchema(schema);
  }
  return figures;
}

/** Edits per second one after another on the first store, and from `WRITERS` writers at once (median of runs). */
async function editRates(stores: readonly Store[]): Promise<{ serial: number; concurrent: number }> {
  try {
    const trackers = await trackersOn(stores);
    await trackers[0]!.addProject({ key: 'WEB', title: 'Web' });
    const keys: string[] = [];
    for (let i = 0; i < ITEMS; i++) keys.push((await trackers[0]!.addItem({ item_type: 'task', title: `Item ${i}` })).key);
    let edit = 0;
    const next = (tracker: LocalTracker) => tracker.editItem(keys[edit % ITEMS]!, { title: `Edit ${edit++}` });
    const rate = async (run: () => Promise<unknown>) => {
      await run(); // warm-up
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push((await timed(run)).ms);
      return EDITS / (median(times) / 1000);
    };
    const serial = await rate(async () => {
      for (let i = 0; i < EDITS; i++) await next(trackers[0]!);
    });
    const concurrent = await rate(() =>
      Promise.all(
        trackers.map(async (tracker) => {
          for (let i = 0; i < EDITS / WRITERS; i++) await next(tracker);
        }),
      ),
    );
    return { serial, concurrent };
  } finally {
    for (const store of new Set(stores)) await store.close();
  }
}

async function trackersOn(stores: readonly Store[]): Promise<LocalTracker[]> {
  await stores[0]!.write(async (tx) => {
    for (const lane of defaultLanes()) await tx.insert('swim_lanes', lane, { localSeq: 0 });
  });
  return Array.from(
    { length: WRITERS },
    (_, i) =>
      new LocalTracker({
        store: stores[i % stores.length]!,
        actor: `writer${i}@example.com`,
        clock: Date.now,
        doneStatuses: ['done'],
      }),
  );
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
