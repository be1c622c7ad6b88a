import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { SyncRun } from '../../src/domain/index.js';
import type { ErrorBody } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { SyncEngine } from '../../src/sync/index.js';
import { pmProcess } from '../helpers/cli.js';
import { apiClient, servePmProcess, testApp, type ServedProcess } from '../helpers/server.js';
import { storeTarget } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

/**
 * A remote that never finishes answering, and what stops a run on it: cancel, and SIGTERM.
 * Requests time out after 10 minutes here, so nothing ends unless pm ends it.
 */
vi.setConfig({ testTimeout: 60_000 });

const REQUEST_TIMEOUT_MS = 600_000;

interface StuckRemote {
  url: string;
  /** Requests it has been sent (connections that wrote something). */
  requests(): number;
}

const remotes: { server: Server; sockets: Set<Socket> }[] = [];
afterAll(async () => {
  for (const { server, sockets } of remotes.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * `hang`: accepts the connection, reads the request, never answers. `rate-limited`: answers
 * every request 429 with Retry-After of an hour.
 */
async function stuckRemote(kind: 'hang' | 'rate-limited'): Promise<StuckRemote> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', () => {
      requests++;
      if (kind === 'rate-limited')
        socket.write('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  remotes.push({ server, sockets });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Read from the database: polling the API would soon meet the sync rate limit. */
async function finishedRun(store: Store, id: string): Promise<SyncRun> {
  let run: SyncRun | undefined;
  await until(`run ${id} finished`, async () => {
    run = await store.sync.getRun(id);
    return run?.finished_at != null;
  });
  return run!;
}

describe('cancelling a run whose remote does not answer', () => {
  it.each(['hang', 'rate-limited'] as const)('a run stuck on a remote that %s ends cancelled', async (kind) => {
    const remote = await stuckRemote(kind);
    const store = await openStore(storeTarget('sqlite'));
    const sync = new SyncEngine({
      store,
      connections: () => ({
        name: 'stuck',
        kind: 'redmine',
        settings: { url: remote.url, project: 'web', pm_project: 'WEB', timeout_ms: REQUEST_TIMEOUT_MS, rate_limit: 0 },
        secret: 'not-a-real-key',
        source: 'test',
      }),
      log: () => undefined,
    });
    const app = await testApp('sqlite', { store, deps: { sync } });
    expect((await app.api.post('/projects', { key: 'WEB', title: 'Website' })).status).toBe(201);

    const started = await app.api.post<{ sync_id: string }>('/sync/runs', {});
    expect(started.status).toBe(202);
    await until('the remote was asked', () => remote.requests() > 0);
    const cancel = await app.api.post<SyncRun | ErrorBody>(`/sync/runs/${started.body.sync_id}/cancel`);
    expect(cancel.status, cancel.text).toBe(200);

    const run = await finishedRun(store, started.body.sync_id);
    expect(run).toMatchObject({ status: 'cancelled', error: null });
    await sync.stop();
    await app.close();
    await store.close();
  });
});

/** A repository connected to the stuck remote, served, with a run waiting on it (unless `run` is false). */
async function servedWithStuckRun(run = true): Promise<ServedProcess & { cwd: string }> {
  const remote = await stuckRemote('hang');
  const cwd = tempDir();
  const env = { PM_REDMINE_API_KEY: 'not-a-real-key' };
  for (const args of [
    ['init'],
    ['project', 'add', 'WEB', 'Website'],
    ['connect', 'redmine', '--url', remote.url, '--project', 'web', '--timeout', String(REQUEST_TIMEOUT_MS)],
  ]) {
    const result = await pmProcess(args, { cwd, env });
    expect(result.code, result.stderr).toBe(0);
  }
  const served = await servePmProcess(cwd, env);
  if (!run) return { ...served, cwd };
  const started = await apiClient(served.url).post<{ sync_id: string }>('/sync/runs', {});
  expect(started.status, started.text).toBe(202);
  await until('the remote was asked', () => remote.requests() > 0);
  return { ...served, cwd };
}

/**
 * A request whose body never finishes arriving: once the server has taken it in (it says
 * "100 Continue"), it is still reading it when asked to stop.
 */
async function endlessUpload(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const taken = new Promise((resolve) => socket.once('data', resolve));
  socket.write(
    'POST /api/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n',
  );
  expect(String(await taken)).toMatch(/^HTTP\/1\.1 100 /);
  socket.write('{"key":');
  return socket;
}

describe('stopping pm serve', () => {
  it('SIGTERM during a stuck run: the run is cancelled, the process exits, server.json is gone', async () => {
    const served = await servedWithStuckRun();
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(served.cwd, '.pm', 'server.json'))).toBe(false);
    const store = await openStore(join(served.cwd, '.pm', 'data.db'));
    const { runs } = await store.sync.listRuns({});
    expect(runs.map((r) => r.status)).toEqual(['cancelled']);
    await store.close();
  });

  it('SIGTERM with a request that never ends: the drain has a deadline, then the process exits', async () => {
    const served = await servedWithStuckRun(false);
    const upload = await endlessUpload(served.url);
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(served.cwd, '.pm', 'server.json'))).toBe(false);
    upload.destroy();
  });

  it('a second SIGTERM exits at once and still removes server.json', async () => {
    const served = await servedWithStuckRun();
    const upload = await endlessUpload(served.url);
    served.child.kill('SIGTERM');
    await until('the first SIGTERM is taken', () => served.stderr().includes('finishing requests in flight'));
    expect(existsSync(join(served.cwd, '.pm', 'server.json'))).toBe(true);
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 143, signal: null });
    expect(existsSync(join(served.cwd, '.pm', 'server.json'))).toBe(false);
    upload.destroy();
  });
});

describe('pm serve --port', () => {
  it.each(['70000', 'abc', '-1', '65536'])('--port %s is refused naming the flag', async (port) => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const result = await pmProcess(['serve', '--port', port], { cwd });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`--port: expected a whole number from 0 to 65535, got "${port}"`);
    expect(result.stderr).not.toMatch(/RangeError|ERR_SOCKET_BAD_PORT|\n\s+at /);
  });

  it('a port in use, or a host that is not this machine, is refused naming the flag', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const taken = await stuckRemote('hang');
    const port = new URL(taken.url).port;
    const inUse = await pmProcess(['serve', '--port', port], { cwd });
    expect(inUse.code, inUse.stderr).toBe(2);
    expect(inUse.stderr).toContain(`--port: 127.0.0.1:${port} is in use: pick another port, or --port 0 for any free one`);
    const elsewhere = await pmProcess(['serve', '--port', '0', '--host', '203.0.113.7'], { cwd });
    expect(elsewhere.code, elsewhere.stderr).toBe(2);
    expect(elsewhere.stderr).toContain('--host: 203.0.113.7 is not an address of this machine');
    expect(existsSync(join(cwd, '.pm', 'server.json'))).toBe(false);
  });
});
