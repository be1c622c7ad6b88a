import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { defaultLanes } from '../src/domain/index.js';
import { openStore, type Store } from '../src/store/index.js';
import type { SyncedType } from '../src/sync/connectors/index.js';
import { SyncEngine, type AnyConnectorDefinition, type RawConnection, type ScaleOutOptions } from '../src/sync/index.js';
import { LocalTracker } from '../src/tracker/index.js';
import { MemoryTracker, memoryDefinition, type Call } from '../test/helpers/memory-tracker.js';
import { figure, median, type Figure } from './lib.js';

const POSTGRES_URL = process.env.PM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LATENCY_MS = 20;
const BATCH = 10;
const requester = { actor: 'bench@example.com' };
const WORKERS = [1, 2, 4];
const ROUNDS = 3;
const CLIENTS = [1, 4];

/** The remote peer: a tracker that answers every request after a fixed latency, any number at once. */
class SlowTracker extends MemoryTracker {
  override async call<T>(call: Call, type: SyncedType, work: () => T | Promise<T>): Promise<T> {
    await sleep(LATENCY_MS);
    return super.call(call, type, work);
  }
}

/** Where one measured run pushes: a fresh remote project, and what is there once the run ended. */
interface Target {
  connection: RawConnection;
  definitions?: readonly AnyConnectorDefinition[];
  /** Issues (work items) on the remote now. */
  created(): Promise<number>;
  close(): Promise<void>;
}

/** A remote that gives each run a project of its own. */
type Remote = (tag: string) => Promise<Target>;

/** The in-process fake: a remote that answers every request after LATENCY_MS, any number at once. */
const fake: Remote = () => {
  const remote = new SlowTracker();
  return Promise.resolve({
    connection: {
      name: 'peer',
      kind: 'memory',
      settings: { url: 'http://peer.invalid', project: 'web', workers: 1 },
      secret: 'key',
      source: 'bench',
    },
    definitions: [memoryDefinition(remote)],
    created: () => Promise.resolve(remote.all('work_items').length),
    close: () => Promise.resolve(),
  });
};

interface Peer {
  url: string;
  apiKey: string;
}

/**
 * The Redmine that serves requests in parallel (scripts/redmine-parallel-peer.sh writes
 * /tmp/redmine-parallel.env), or PM_BENCH_PARALLEL_REDMINE_URL and _API_KEY.
 */
function parallelRedmine(): Peer | undefined {
  let url = process.env.PM_BENCH_PARALLEL_REDMINE_URL;
  let apiKey = process.env.PM_BENCH_PARALLEL_REDMINE_API_KEY;
  if (!url || !apiKey) {
    try {
      const text = readFileSync(process.env.REDMINE_PARALLEL_ENV_FILE ?? '/tmp/redmine-parallel.env', 'utf8');
      url = /^REDMINE_URL=(.*)$/m.exec(text)?.[1]?.trim();
      apiKey = /^REDMINE_API_KEY=(.*)$/m.exec(text)?.[1]?.trim();
    } catch {
      return undefined;
    }
  }
  return url && apiKey ? { url: url.replace(/\/+$/, ''), apiKey } : undefined;
}

/** One Redmine REST call; errors name the request, never the key. */
async function redmineCall<T>(peer: Peer, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${peer.url}${path}`, {
    method,
    headers: {
      'X-Redmine-API-Key': peer.apiKey,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${peer.url}${path.split('?')[0]}: ${response.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** The real Redmine: a private project per run, deleted after it. */
function redmine(peer: Peer): Remote {
  return async (tag) => {
    const identifier = `pm-scale-${Date.now().toString(36)}-${process.pid}-${tag}`;
    await redmineCall(peer, 'POST', '/projects.json', { project: { name: identifier, identifier, is_public: false } });
    return {
      // One request at a time per engine (as the Redmine connector defaults to) and no rate
      // limit, so any speed-up is the batches' spread over engines and the peer's parallelism.
      connection: {
        name: 'peer',
        kind: 'redmine',
        settings: { url: peer.url, project: identifier, workers: 1, rate_limit: 0 },
        secret: peer.apiKey,
        source: 'bench',
      },
      created: async () =>
        (await redmineCall<{ total_count: number }>(peer, 'GET', `/issues.json?project_id=${identifier}&status_id=*&limit=1`))
          .total_count,
      close: () => redmineCall(peer, 'DELETE', `/projects/${identifier}.json`),
    };
  };
}

/**
 * Scale-out (issue 18): a first push of `items` work items, split into batches of ${BATCH}, by
 * 1, 2 and 4 engines on one PostgreSQL schema, each with a pool of its own as a pm worker
 * process has. Each engine sends one request at a time (connection workers = 1), so any
 * speed-up is the batches' spread over engines. Two remotes:
 *
 * - an in-process fake that takes ${LATENCY_MS} ms per request and any number at once: the
 *   spread alone. Floors: the 1-engine split run against the same run unsplit, 2 and 4
 *   engines against 1.
 * - Redmine on PostgreSQL under puma in cluster mode (scripts/redmine-parallel-peer.sh;
 *   skipped with a note without one), over HTTP, a first push of `redmineItems` (each run a
 *   Redmine project of its own): every run against the same push unsplit, in one process,
 *   to the same Redmine, in the same run; and Redmine's own ceiling here, plain POSTs by 4
 *   clients at once against 1.
 */
export async function scaleOutBench(items: number, redmineItems: number): Promise<Figure[]> {
  let plain: number;
  try {
    plain = await pushRate(items, 1, undefined, fake);
  } catch (error) {
    process.stdout.write(`scaleout: skipped, no PostgreSQL at ${POSTGRES_URL.replace(/:[^:@/]*@/, '@')} (${String(error)})\n`);
    return [];
  }
  const options: ScaleOutOptions = { batchSize: BATCH, pollMs: 20 };
  const one = await pushRate(items, 1, options, fake);
  const figures = [
    figure(`scaleout: first push of ${items} items, 1 worker, split in batches`, one, 'items/s', {
      value: plain,
      name: 'the same push unsplit, one process',
    }),
  ];
  for (const workers of [2, 4]) {
    figures.push(
      figure(
        `scaleout: first push of ${items} items, ${workers} workers`,
        await pushRate(items, workers, options, fake),
        'items/s',
        {
          value: one,
          name: '1 worker',
        },
      ),
    );
  }
  figures.push(...(await againstRedmine(redmineItems, options)));
  return figures;
}

/**
 * The Redmine part: the unsplit push and 1, 2 and 4 workers in turns, ROUNDS times, each
 * figure the median of its runs. In turns, because this Redmine shares the machine's cores
 * with everything else: a change in load over minutes then weighs on every figure alike.
 */
async function againstRedmine(items: number, options: ScaleOutOptions): Promise<Figure[]> {
  const peer = parallelRedmine();
  if (!peer) {
    process.stdout.write(
      'scaleout: Redmine part skipped, no parallel Redmine (sudo bash scripts/redmine-parallel-peer.sh writes /tmp/redmine-parallel.env)\n',
    );
    return [];
  }
  const remote = redmine(peer);
  const unsplit: number[] = [];
  const split = new Map<number, number[]>(WORKERS.map((w) => [w, []]));
  const raw = new Map<number, number[]>(CLIENTS.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    unsplit.push(await pushRate(items, 1, undefined, remote));
    for (const workers of WORKERS) split.get(workers)!.push(await pushRate(items, workers, options, remote));
    for (const clients of CLIENTS) raw.get(clients)!.push(await postRate(peer, items, clients));
  }
  const floor = { value: median(unsplit), name: 'the same push unsplit, one process' };
  const last = CLIENTS[CLIENTS.length - 1]!;
  return [
    ...WORKERS.map((workers) =>
      figure(
        `scaleout: Redmine (PostgreSQL, puma cluster), first push of ${items} items, ${workers} worker${workers > 1 ? 's' : ''}`,
        median(split.get(workers)!),
        'items/s',
        floor,
      ),
    ),
    // The peer's own ceiling on this machine: what any number of workers can get at the most.
    figure(
      `scaleout: Redmine itself, ${items} plain POST /issues.json, ${last} clients at once`,
      median(raw.get(last)!),
      'items/s',
      {
        value: median(raw.get(CLIENTS[0]!)!),
        name: 'the same POSTs, 1 client',
      },
    ),
  ];
}

/** Issues per second of `count` plain creates by `clients` sequential clients, into a project of their own. */
async function postRate(peer: Peer, count: number, clients: number): Promise<number> {
  const identifier = `pm-scale-${Date.now().toString(36)}-${process.pid}-raw-${clients}`;
  const { project } = await redmineCall<{ project: { id: number } }>(peer, 'POST', '/projects.json', {
    project: { name: identifier, identifier, is_public: false },
  });
  try {
    let next = 0;
    const client = async () => {
      for (let i = next++; i < count; i = next++)
        await redmineCall(peer, 'POST', '/issues.json', {
          issue: { project_id: project.id, tracker_id: 1, subject: `Item ${i}` },
        });
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: clients }, client));
    return count / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    await redmineCall(peer, 'DELETE', `/projects/${identifier}.json`);
  }
}

/** Items per second of one full run with `workers` engines (the first coordinates and pushes too). */
async function pushRate(items: number, workers: number, scaleOut: ScaleOutOptions | undefined, remote: Remote): Promise<number> {
  const tag = `${workers}_${scaleOut ? 'split' : 'plain'}`;
  const schema = `pm_bench_scale_${process.pid}_${tag}`;
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const stores: Store[] = [];
  let target: Target | undefined;
  try {
    stores.push(await openStore(url)); // migrates, before the others open it
    for (let i = 1; i < workers; i++) stores.push(await openStore(url));
    const local = new LocalTracker({ store: stores[0]!, actor: 'bench@example.com', clock: Date.now, doneStatuses: ['done'] });
    await stores[0]!.write(async (tx) => {
      for (const lane of defaultLanes()) await tx.insert('swim_lanes', lane, { localSeq: 0 });
    });
    await local.addProject({ key: 'WEB', title: 'Web' });
    for (let i = 0; i < items; i++) await local.addItem({ item_type: 'task', title: `Item ${i}` });
    target = await remote(tag.replace('_', '-'));
    const { connection, definitions } = target;
    const engines = stores.map(
      (store) =>
        new SyncEngine({
          store,
          connections: () => connection,
          ...(definitions ? { definitions } : {}),
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
    const created = await target.created();
    if (final.status !== 'completed' || created !== items)
      throw new Error(`scaleout: the run ended ${final.status} with ${created} of ${items} items on the remote`);
    return items / (ms / 1000);
  } finally {
    for (const store of stores) await store.close();
    await dropSchema(schema);
    await target?.close();
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
