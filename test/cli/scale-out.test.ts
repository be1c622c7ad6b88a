import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { SyncRun } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { LocalTracker } from '../../src/tracker/index.js';
import { PM_BIN, boundPm, testEnv } from '../helpers/cli.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { OpenProjectFake } from '../helpers/fakes/openproject.js';
import { apiClient } from '../helpers/server.js';
import { postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Scale-out with real processes on one PostgreSQL: pm serve --scale-out splits a run into
 * batches, pm worker processes push them to a tracker served over HTTP (the spec-checked
 * OpenProject fake, behind a proxy that sees every request).
 */

const processes: ChildProcess[] = [];
// Each ended and waited for before the file's schemas are dropped (a worker still polling would deadlock the drop).
afterEach(async () => {
  await Promise.all(
    processes.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }),
  );
});

/** `pm ARGS` in `cwd` as a process of its own; resolves once its output matches `ready`, with the match. */
function startPm(cwd: string, env: Record<string, string>, args: string[], ready: RegExp) {
  const child = spawn(process.execPath, [PM_BIN, ...args], { cwd, env: testEnv(env) });
  processes.push(child);
  return new Promise<{ child: ChildProcess; match: RegExpExecArray }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) resolve({ child, match });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`pm ${args.join(' ')} exited (${code}): ${out}`)));
  });
}

async function startWorker(cwd: string, env: Record<string, string>, args: string[] = []): Promise<ChildProcess> {
  return (await startPm(cwd, env, ['worker', ...args], /working sync batches/)).child;
}

async function startServer(cwd: string, env: Record<string, string>, args: string[] = []): Promise<string> {
  return (await startPm(cwd, env, ['serve', '--port', '0', ...args], /listening on (http:\/\/\S+)/)).match[1]!;
}

/** A repository on its own PostgreSQL schema, connected to a fresh OpenProject fake, with `items` work items. */
async function cluster(items: number, server: Record<string, string | number | boolean>) {
  const fake = await new OpenProjectFake().start();
  const proxy = await FaultProxy.start(fake.url);
  const dir = tempDir('pm-scale-');
  const database = postgresUrl();
  const env = { PM_DATABASE_URL: database, PM_OPENPROJECT_API_KEY: fake.token };
  const cli = boundPm(dir, env);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
  await cli.ok(['connect', 'openproject', '--url', proxy.url, '--project', fake.project.identifier, '--timeout', '2000']);
  const config = join(dir, '.pm', 'config.toml');
  const settings = Object.entries(server).map(([k, v]) => `${k} = ${v}`);
  writeFileSync(config, readFileSync(config, 'utf8').replace('[server]\n', `[server]\n${settings.join('\n')}\n`));
  const store = await openStore(database);
  try {
    const tracker = new LocalTracker({ store, actor: 'tester@example.com', clock: Date.now, doneStatuses: ['done'] });
    for (let i = 1; i <= items; i++) await tracker.addItem({ project: 'WEB', item_type: 'task', title: `Task ${i}` });
  } finally {
    await store.close();
  }
  return { fake, proxy, dir, env, cli };
}

async function finished(url: string, id: string, timeoutMs = 90_000): Promise<SyncRun> {
  const api = apiClient(url);
  for (const until = Date.now() + timeoutMs; Date.now() < until;) {
    const { body } = await api.get<{ run: SyncRun }>(`/sync/runs/${id}`);
    if (body.run.status !== 'queued' && body.run.status !== 'running') return body.run;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${id} did not finish in ${timeoutMs} ms`);
}

describe('pm serve --scale-out with pm worker processes on one PostgreSQL', () => {
  test('pm worker and pm serve --scale-out refuse SQLite, which has no queue to share', async () => {
    const cli = boundPm(tempDir('pm-scale-'));
    await cli.ok(['init']);
    for (const args of [['worker'], ['serve', '--port', '0', '--scale-out']]) {
      const r = await cli.run(args);
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/scale-out needs PostgreSQL/);
    }
  });

  test('kill -9 of a worker in the middle of a batch: another worker finishes it, nothing is created twice, the run completes', async () => {
    const c = await cluster(40, { batch_size: 10 });
    const url = await startServer(c.dir, c.env, ['--scale-out']);
    const first = await startWorker(c.dir, c.env, ['--lease', '2']);
    // Slow enough that the kill lands between creates of one batch.
    c.proxy.inject({ method: 'POST', path: /work_packages/, fault: { kind: 'delay', ms: 40 }, times: Infinity });
    let posts = 0;
    const killed = new Promise<void>((resolve) => {
      c.proxy.onRequest = (entry) => {
        if (entry.method === 'POST' && /\/work_packages$/.test(entry.path) && ++posts === 15) {
          first.kill('SIGKILL');
          resolve();
        }
      };
    });
    const { body } = await apiClient(url).post<{ sync_id: string }>('/sync/runs', { mode: 'full' });
    await killed;
    c.proxy.onRequest = undefined;
    const between = c.fake.wps.size;
    expect(between).toBeGreaterThanOrEqual(15);
    expect(between).toBeLessThan(40);

    await startWorker(c.dir, c.env, ['--lease', '2']);
    const run = await finished(url, body.sync_id);
    expect(run.status).toBe('completed');
    const { create = 0, link = 0 } = run.counters.work_items!;
    expect(create + link).toBe(40);
    // What the killed worker created in its batch was found by pm id on the next claim, not made again.
    expect(link).toBeGreaterThanOrEqual(1);
    const store = await openStore(c.env.PM_DATABASE_URL);
    try {
      const batches = await store.batches.ofRun(run.id);
      expect(batches.every((b) => b.status === 'done')).toBe(true);
      expect(batches.filter((b) => b.attempt === 2)).toHaveLength(1);
    } finally {
      await store.close();
    }
    const remote = [...c.fake.wps.values()];
    expect(remote).toHaveLength(40);
    expect(new Set(remote.map((w) => w.pmId)).size).toBe(40);
    expect(c.fake.violations).toEqual([]);
  });

  test('two servers asked for a run with one idempotency key make one run; a plain server is kept out', async () => {
    const c = await cluster(3, {});
    const flags = ['--scale-out', '--work-batches'];
    const urls = await Promise.all([startServer(c.dir, c.env, flags), startServer(c.dir, c.env, flags)]);
    expect(new Set(urls).size).toBe(2);
    const replies = await Promise.all(
      urls.map((url) => apiClient(url).post<{ sync_id: string }>('/sync/runs', { idempotency_key: 'nightly-1' })),
    );
    const ids = new Set(replies.map((r) => r.body.sync_id));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    expect((await finished(urls[0], id)).status).toBe('completed');
    const runs = await apiClient(urls[1]).get<{ runs: SyncRun[] }>('/sync/runs');
    expect(runs.body.runs.map((r) => r.id)).toEqual([id]);
    expect(c.fake.wps.size).toBe(3);
    // A server that does not scale out still has the database to itself or not at all.
    await expect(startServer(c.dir, c.env)).rejects.toThrow(/another pm server is already serving this database/);
  });
});
