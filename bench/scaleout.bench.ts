import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { defaultLanes } from '../src/domain/index.js';
import { openStore, type Store } from '../src/store/index.js';
import type { SyncedType } from '../src/sync/connectors/index.js';
import { SyncEngine, type RawConnection, type ScaleOutOptions } from '../src/sync/index.js';
import { LocalTracker } from '../src/tracker/index.js';
import { MemoryTracker, memoryDefinition, type Call } from '../test/helpers/memory-tracker.js';
import { figure, type Figure } from './lib.js';

const POSTGRES_URL = process.env.PM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LATENCY_MS = 20;
const BATCH = 10;
const requester = { actor: 'bench@example.com' };

/** The remote peer: a tracker that answers every request after a fixed latency, any number at once. */
class SlowTracker extends MemoryTracker {
  override async call<T>(call: Call, type: SyncedType, work: () => T | Promise<T>): Promise<T> {
    await sleep(LATENCY_MS);
    return super.call(call, type, work);
  }
}

/**
 * Scale-out (issue 18): a first push of `items` work items, split into batches of ${BATCH}, by
 * 1, 2 and 4 engines on one PostgreSQL schema, each with a pool of its own as a pm worker
 * process has, against a remote that takes ${LATENCY_MS} ms per request and any number of
 * requests at once (an in-process fake: a Redmine that serves requests in parallel cannot
 * run here). Each engine sends one request at a time (connection workers = 1), so any
 * speed-up is the batches' spread over engines. Floors: the 1-engine split run against the
 * same run unsplit, and 2 and 4 engines against 1.
 */
export async function scaleOutBench(items: number): Promise<Figure[]> {
  let plain: number;
  try {
    plain = await pushRate(items, 1, undefined);
  } catch (error) {
    process.stdout.write(`scaleout: skipped, no PostgreSQL at ${POSTGRES_URL.replace(/:[^:@/]*@/, '@')} (${String(error)})\n`);
    return [];
  }
  const options: ScaleOutOptions = { batchSize: BATCH, pollMs: 20 };
  const one = await pushRate(items, 1, options);
  const figures = [
    figure(`scaleout: first push of ${items} items, 1 worker, split in batches`, one, 'items/s', {
      value: plain,
      name: 'the same push unsplit, one process',
    }),
  ];
  for (const workers of [2, 4]) {
    figures.push(
      figure(`scaleout: first push of ${items} items, ${workers} workers`, await pushRate(items, workers, options), 'items/s', {
        value: one,
        name: '1 worker',
      }),
    );
  }
  return figures;
}

/** Items per second of one full run with `workers` engines (the first coordinates and pushes too). */
async function pushRate(items: number, workers: number, scaleOut: ScaleOutOptions | undefined): Promise<number> {
  const schema = `pm_bench_scale_${process.pid}_${workers}_${scaleOut ? 'split' : 'plain'}`;
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const stores: Store[] = [];
  try {
    stores.push(await openStore(url)); // migrates, before the others open it
    for (let i = 1; i < workers; i++) stores.push(await openStore(url));
    const local = new LocalTracker({ store: stores[0]!, actor: 'bench@example.com', clock: Date.now, doneStatuses: ['done'] });
    await stores[0]!.write(async (tx) => {
      for (const lane of defaultLanes()) await tx.insert('swim_lanes', lane, { localSeq: 0 });
    });
    await local.addProject({ key: 'WEB', title: 'Web' });
    for (let i = 0; i < items; i++) await local.addItem({ item_type: 'task', title: `Item ${i}` });
    const remote = new SlowTracker();
    const connection: RawConnection = {
      name: 'peer',
      kind: 'memory',
      settings: { url: 'http://peer.invalid', project: 'web', workers: 1 },
      secret: 'key',
      source: 'bench',
    };
    const engines = stores.map(
      (store) =>
        new SyncEngine({
          store,
          connections: () => connection,
          definitions: [memoryDefinition(remote)],
          log: () => undefined,
          ...(scaleOut ? { scaleOut } : {}),
        }),
    );
    const helpers = engines.slice(1).map((engine) => engine.work());
    const coordinator = engines[0]!;
    const t0 = process.hrtime.bigint();
    const { run } = await coordinator.request({ mode: 'full', direction: 'push' }, requester);
    const final = await coordinator.execute(run.id, requester);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    for (const engine of engines.slice(1)) await engine.stop();
    await Promise.all(helpers);
    const created = remote.all('work_items').length;
    if (final.status !== 'completed' || created !== items)
      throw new Error(`scaleout: the run ended ${final.status} with ${created} of ${items} items on the remote`);
    return items / (ms / 1000);
  } finally {
    for (const store of stores) await store.close();
    await dropSchema(schema);
  }
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
