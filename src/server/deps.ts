import type { FastifyServerOptions } from 'fastify';
import type { Clock } from '../domain/index.js';
import type { ApiToken, Store, TokenScope } from '../store/index.js';
import type { SyncEngine } from '../sync/index.js';

/** What a server may be configured with (`[server]` in config.toml, and `pm serve` options). */
export interface ServerSettings {
  /** Every request needs a bearer token. Always on when the server listens beyond loopback. */
  requireToken: boolean;
  /** Largest JSON request body, in bytes: a 1 MiB text field escaped fits comfortably. */
  jsonLimit: number;
  /** Largest snapshot a sync request may upload, in bytes. */
  importLimit: number;
  /** Requests per minute one client may make to /api/v1/sync/*, all those routes together. */
  syncRequestsPerMinute: number;
  /** Host names besides loopback's that a server without tokens answers (and writes may come from). */
  allowedHosts: readonly string[];
}

export const DEFAULT_SETTINGS: ServerSettings = {
  requireToken: false,
  jsonLimit: 8 * 1024 * 1024,
  importLimit: 256 * 1024 * 1024,
  syncRequestsPerMinute: 60,
  allowedHosts: [],
};

/** A store for one snapshot export or import, released when the request is done with it. */
export interface BulkStore {
  store: Store;
  release(): Promise<void>;
}

export interface AppDeps {
  store: Store;
  clock: Clock;
  doneStatuses: readonly string[];
  /** Who acts when a request names no one (no `X-PM-Actor` header, no token). */
  actor: () => string;
  /** Where uploads are spooled; the server owns everything in it. */
  tmpDir: string;
  settings: ServerSettings;
  /**
   * A store for one bulk request. SQLite gives each its own connection, so a long export or
   * import never holds the connection every other request uses. Default: the main store.
   */
  bulkStore?: () => Promise<BulkStore>;
  /** Fastify's logger settings; false for none. */
  logger?: FastifyServerOptions['logger'];
  /** When the server started (ms), for the health check's uptime. */
  startedAt?: number;
  /** Sync runs with remote trackers (the repository's connections); absent: those routes answer 404. */
  sync?: SyncEngine;
  /** The repository's connections (from config.toml), for the sync dashboard. */
  connections?: () => readonly ConnectionInfo[];
  /** Where the web UI's files are (dist/web); found next to the code when absent, false for no UI. */
  webRoot?: string | false;
  /** Names what a system or database error means (a full disk, a read-only folder); default: as it is. */
  explainFailure?: (error: unknown) => unknown;
}

/** A sync connection as the dashboard shows it: never its secret, only where the key comes from. */
export interface ConnectionInfo {
  name: string;
  kind: string;
  url: string;
  /** The remote project. */
  project: string;
  pm_project: string | null;
  strategy: string;
  key: 'env' | 'secrets' | 'missing';
  /** How often `pm serve` runs it on its own (ms), or null. */
  every_ms: number | null;
  /** When `pm serve` runs it next on its own, or null. */
  next_run_at: string | null;
}

/** Who is asking, settled before the body is read. */
export interface RequestAuth {
  actor: string;
  /** The token the request presented, if any. */
  token: ApiToken | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    pm: RequestAuth;
  }
  interface FastifyContextConfig {
    /** What a token needs to call the route. */
    scope?: TokenScope;
    /** Served to anyone, without a token (the web UI's files, which hold no data). */
    public?: boolean;
  }
}
