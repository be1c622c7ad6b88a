import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { PM_BIN, testEnv } from './cli.js';
import { manualClock } from './tracker.js';
import {
  DEFAULT_SETTINGS,
  createApp,
  startServer,
  type AppDeps,
  type RunningServer,
  type ServerSettings,
} from '../../src/server/index.js';
import { openStore, type Dialect, type Store } from '../../src/store/index.js';
import { pathsFor } from '../../src/workspace/index.js';
import { seedLanes } from './tracker.js';
import { storeTarget } from './stores.js';
import { tempDir } from './temp.js';

/** Everything a test started, stopped when the test file finishes (servers first, then stores). */
const servers: { close(): Promise<void> }[] = [];
const stores: Store[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  for (const server of servers.splice(0).reverse()) await server.close();
  for (const store of stores.splice(0)) await store.close();
});

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as it is, instead of JSON. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  token?: string;
  actor?: string;
}

/** Real HTTP against a server: `api.get<Project>('/projects/WEB')`. */
export function apiClient(url: string, defaults: { token?: string } = {}) {
  const call = async <T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> => {
    const token = options.token ?? defaults.token;
    const headers: Record<string, string> = {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.actor ? { 'x-pm-actor': options.actor } : {}),
      ...options.headers,
    };
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${url}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };
  return {
    call,
    get: <T = unknown>(path: string, options?: RequestOptions) => call<T>('GET', path, options),
    post: <T = unknown>(path: string, body?: unknown, options?: RequestOptions) => call<T>('POST', path, { ...options, body }),
    patch: <T = unknown>(path: string, body: unknown, options?: RequestOptions) => call<T>('PATCH', path, { ...options, body }),
    delete: <T = unknown>(path: string, options?: RequestOptions) => call<T>('DELETE', path, options),
  };
}
export type Api = ReturnType<typeof apiClient>;

export interface TestApp {
  url: string;
  api: Api;
  store: Store;
  deps: AppDeps;
  /** What the server logged (JSON lines). */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The API on a fresh store with the default lanes, listening on an ephemeral loopback port.
 * Requests act as `server@example.com` unless they name an actor.
 */
export async function testApp(
  dialect: Dialect,
  options: { settings?: Partial<ServerSettings>; store?: Store; target?: string; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  const target = options.target ?? storeTarget(dialect);
  const store = options.store ?? (await openStore(target));
  if (!options.store) stores.push(store);
  await seedLanes(store);
  const logs: string[] = [];
  const deps: AppDeps = {
    store,
    clock: manualClock(),
    doneStatuses: ['done'],
    actor: () => 'server@example.com',
    tmpDir: tempDir(),
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
    ...(dialect === 'sqlite'
      ? {
          bulkStore: async () => {
            const own = await openStore(target, { migrate: false });
            return { store: own, release: () => own.close() };
          },
        }
      : {}),
    ...options.deps,
  };
  const app = await createApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const handle = { close: () => app.close() };
  servers.push(handle);
  return { url, api: apiClient(url), store, deps, logs, close: handle.close };
}

/**
 * `pm serve` in this process on a workspace made with `pm init` (its own store, its own lock),
 * as the CLI starts it. Returns the running server and its store.
 */
export async function serveWorkspace(
  cwd: string,
  options: { database?: string; settings?: Partial<ServerSettings> } = {},
): Promise<RunningServer & { store: Store; api: Api }> {
  const paths = pathsFor(join(cwd, '.pm'));
  const target = options.database ?? paths.database;
  const store = await openStore(target);
  stores.push(store);
  const running = await startServer({
    store,
    target,
    paths,
    host: '127.0.0.1',
    port: 0,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    clock: Date.now,
    doneStatuses: ['done'],
    actor: () => 'server@example.com',
    logger: false,
  });
  servers.push(running);
  return { ...running, store, api: apiClient(running.url) };
}

/** `pm serve --port 0` as a process of its own in `cwd`; resolves with its URL once it listens. */
export async function servePm(
  cwd: string,
  env: Record<string, string | undefined> = {},
  args: readonly string[] = [],
): Promise<string> {
  return (await servePmProcess(cwd, env, args)).url;
}

/** `pm serve` as a process of its own: where it listens, what it said on stderr so far, how it ended. */
export interface ServedProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `servePm`, with the process: its pid and stderr, to watch it from outside. */
export function servePmProcess(
  cwd: string,
  env: Record<string, string | undefined> = {},
  args: readonly string[] = [],
): Promise<ServedProcess> {
  const child = spawn(process.execPath, [PM_BIN, 'serve', '--port', '0', ...args], { cwd, env: testEnv(env) });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ url, child, stderr: () => err, exited });
    });
    child.on('exit', (code) => reject(new Error(`pm serve exited (${code}) before listening: ${out}${err}`)));
  });
}

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: unknown;
}

/**
 * A server-sent event stream read as it arrives: `next` waits for the next event that
 * matches (events before it are passed over), `close` hangs up.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queued: SseEvent[] = [];
  let ended = false;
  const pull = async (): Promise<void> => {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return;
    }
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const line = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      const data = line('data');
      if (data !== undefined)
        queued.push({ event: line('event') ?? 'message', id: line('id'), data: JSON.parse(data) as unknown });
    }
  };
  return {
    response,
    async next(match: (event: SseEvent) => boolean = () => true, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = queued.findIndex(match);
        if (index >= 0) return queued.splice(0, index + 1).at(-1)!;
        queued.length = 0;
        if (ended) throw new Error(`${url}: the stream ended before the event came`);
        if (Date.now() > deadline) throw new Error(`${url}: no such event within ${timeoutMs} ms`);
        await Promise.race([pull(), new Promise((resolve) => setTimeout(resolve, 200))]);
      }
    },
    /** Resolves when the server ends the stream. */
    async ended(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!ended) {
        if (Date.now() > deadline) throw new Error(`${url}: the stream did not end within ${timeoutMs} ms`);
        await Promise.race([pull(), new Promise((resolve) => setTimeout(resolve, 200))]);
      }
    },
    close: () => abort.abort(),
  };
}
