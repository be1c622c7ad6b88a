import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { StateError, type Clock } from '../domain/index.js';
import { isPostgresUrl, openStore, type HeldLock, type Store } from '../store/index.js';
import type { SyncEngine } from '../sync/index.js';
import { explainFailure, type WorkspacePaths } from '../workspace/index.js';
import { createApp } from './app.js';
import type { BulkStore, ConnectionInfo, ServerSettings } from './deps.js';

export interface ServeOptions {
  /** The store to serve; the caller closes it after the server. */
  store: Store;
  /** Where that store lives (a SQLite file or a postgres:// URL): bulk requests open their own SQLite connection. */
  target: string;
  paths: WorkspacePaths;
  host: string;
  port: number;
  settings: ServerSettings;
  clock: Clock;
  doneStatuses: readonly string[];
  actor: () => string;
  logger?: FastifyServerOptions['logger'];
  /** Sync runs with the repository's connections. */
  sync?: SyncEngine;
  /** The repository's connections, for the sync dashboard. */
  connections?: () => readonly ConnectionInfo[];
  /** Shares the database with other scale-out servers and workers instead of being its only server. */
  scaleOut?: boolean;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /**
   * Stops taking requests, cancels sync runs, lets requests in flight finish (those still going
   * after `DRAIN_MS` are cut off), then lets go of the lock and server.json.
   */
  close(): Promise<void>;
  /** For a process about to exit at once: removes server.json and the temp files, now. */
  abandon(): void;
}

/** How long a stopping server waits for requests in flight. */
export const DRAIN_MS = 10_000;

/** What `.pm/server.json` says: where the server of this repository is, for discovery. */
export interface ServerInfo {
  url: string;
  pid: number;
}

export function serverInfoPath(paths: WorkspacePaths): string {
  return join(paths.dir, 'server.json');
}

export function readServerInfo(paths: WorkspacePaths): ServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(serverInfoPath(paths), 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** How clients reach the server: an unspecified address (0.0.0.0, ::) is reached on loopback. */
function urlOf(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

function bulkStores(store: Store, target: string): (() => Promise<BulkStore>) | undefined {
  if (store.dialect !== 'sqlite' || target === ':memory:') return undefined;
  return async () => {
    const own = await openStore(target, { migrate: false });
    return { store: own, release: () => own.close() };
  };
}

/**
 * Starts `pm serve` on a store: takes the store's serve lock (one server per database, held
 * until this process ends, however it ends), listens, and writes `.pm/server.json`.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { store, paths } = options;
  const lock = await store.holdLock('serve', { shared: options.scaleOut === true });
  if (!lock) {
    const running = readServerInfo(paths);
    const other = options.scaleOut ? 'a pm server that does not scale out' : 'another pm server';
    throw new StateError(
      'locked',
      `${other} is already serving this database${running ? ` (pid ${running.pid}, ${running.url})` : ''}: stop it first`,
    );
  }
  // Servers that scale out may share a repository directory: each has its own.
  const tmpDir = join(paths.tmp, options.scaleOut ? `server-${process.pid}` : 'server');
  let app: FastifyInstance | undefined;
  try {
    // Left over from a server that was killed: nobody else uses it while we hold the lock.
    rmSync(tmpDir, { recursive: true, force: true });
    mkdirSync(tmpDir, { recursive: true });
    app = await createApp({
      store,
      clock: options.clock,
      doneStatuses: options.doneStatuses,
      actor: options.actor,
      tmpDir,
      settings: options.settings,
      startedAt: Date.now(),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...withBulk(bulkStores(store, options.target)),
      ...(options.sync ? { sync: options.sync } : {}),
      ...(options.connections ? { connections: options.connections } : {}),
      explainFailure: (error) => explainFailure(error, isPostgresUrl(options.target) ? undefined : options.target),
    });
    // Runs a server killed mid-run left behind are failed, so none stays "running".
    await options.sync?.recover();
    await app.listen({ host: options.host, port: options.port });
    const info: ServerInfo = { url: urlOf(app), pid: process.pid };
    writeServerInfo(paths, info);
    const abandon = () => removeTraces(paths, tmpDir);
    return { url: info.url, app, close: closer(app, lock, abandon, options.sync), abandon };
  } catch (error) {
    await app?.close();
    await lock.release();
    throw error;
  }
}

function withBulk(bulkStore: (() => Promise<BulkStore>) | undefined) {
  return bulkStore ? { bulkStore } : {};
}

function writeServerInfo(paths: WorkspacePaths, info: ServerInfo): void {
  const file = serverInfoPath(paths);
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(temp, file);
}

/** True when the promise settles within `ms` (its rejection is thrown). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function removeTraces(paths: WorkspacePaths, tmpDir: string): void {
  if (readServerInfo(paths)?.pid === process.pid) rmSync(serverInfoPath(paths), { force: true });
  rmSync(tmpDir, { recursive: true, force: true });
}

function closer(
  app: FastifyInstance,
  lock: HeldLock,
  removeTraces: () => void,
  sync: SyncEngine | undefined,
): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      try {
        // Runs in flight are cancelled (their remote requests aborted) and recorded as such,
        // while the server stops listening and lets requests in flight finish.
        const drained = Promise.all([sync?.stop(), app.close()]);
        if (!(await settlesWithin(drained, DRAIN_MS))) {
          // Requests still going (an upload that never ends) are cut off.
          app.server.closeAllConnections();
          await settlesWithin(drained, 1000);
        }
      } finally {
        removeTraces();
        await lock.release();
      }
    })());
}
