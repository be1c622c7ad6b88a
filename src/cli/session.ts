import { relative } from 'node:path';
import { ConfigError, ENTITY_TYPES, ValidationError, isPmError, systemClock, type Clock } from '../domain/index.js';
import {
  META_SNAPSHOT_HASH,
  exportSnapshot,
  hasUnexportedChanges,
  importIfChanged,
  markUnexported,
  pmHookInstalled,
  takeExportFailure,
  unexportedMarked,
  workTree,
  type SyncService,
} from '../sync/index.js';
import { LocalTracker, type Tracker } from '../tracker/index.js';
import {
  autoExport,
  backgroundExportBytes,
  doneStatuses,
  explainFailure,
  findWorkspace,
  openWorkspace,
  readConfig,
  resolveActor,
  resolveConnection,
  type Config,
  type Workspace,
} from '../workspace/index.js';
import { VERSION } from '../version.js';
import { Output, type CliIo } from './output/output.js';
import { fileSize, startBackgroundExport } from './background-export.js';

/**
 * One CLI invocation: its input/output and, opened on first use, the workspace and tracker.
 * Commands that never touch data (help, version) open nothing.
 */
export class Session {
  readonly out: Output;
  #workspace: Promise<Workspace> | undefined;
  #tracker: Promise<Tracker> | undefined;
  /** Off for git hooks: git is at work on the tree (a rebase, a merge) and must not find data.json changed. */
  autoExport = true;
  /** `--server URL`: run through that pm server. Set by the program before the command runs. */
  serverFlag: string | undefined;

  constructor(
    readonly io: CliIo,
    readonly clock: Clock = systemClock,
  ) {
    this.out = new Output(io, clock);
  }

  get debug(): boolean {
    return this.io.env.PM_DEBUG === '1';
  }

  /**
   * The workspace, opened on first use. Unless told not to, it first takes in `.pm/data.json`
   * when git changed it (a fresh clone, a pull, a checkout), so commands see teammates' work and
   * an export never overwrites it. A snapshot that cannot be imported is reported; commands
   * that would overwrite it (`strict`) refuse to go on.
   */
  workspace(options: { sync?: 'auto' | 'strict' | 'off' } = {}): Promise<Workspace> {
    if (this.serverFlag !== undefined) {
      // PM_SERVER is only a default for commands that can run remotely, so git hooks still work;
      // an explicit --server on a local-only command would be silently ignored, so it is refused.
      const message = 'this command works on the local .pm/ directory, not through a server: leave out --server';
      return Promise.reject(new ValidationError([{ path: '--server', message }]));
    }
    this.#workspace ??= openWorkspace({ cwd: this.io.cwd, env: this.io.env, clock: this.clock }).then(async (ws) => {
      if (options.sync !== 'off') await this.takeInSnapshot(ws, options.sync === 'strict');
      return ws;
    });
    return this.#workspace;
  }

  /** Takes in `.pm/data.json` if git changed it; for a workspace opened with `sync: 'off'`. */
  async takeInSnapshot(ws: Workspace, strict: boolean): Promise<void> {
    try {
      const firstTime = (await ws.store.getMeta(META_SNAPSHOT_HASH)) === undefined;
      const result = await importIfChanged(ws.store, ws.paths);
      if (!result) return;
      // A fresh clone: its git config does not know the merge driver yet.
      if (firstTime) {
        const { setUpGit } = await import('./git-setup.js');
        for (const note of setUpGit(this, ws.paths)) this.out.note(this.out.c.dim(`pm: ${note}`));
      }
      const sum = (field: 'created' | 'updated' | 'deleted' | 'conflicts') =>
        ENTITY_TYPES.reduce((n, t) => n + result.counts[t][field], 0);
      const [changed, removed, conflicts] = [sum('created') + sum('updated'), sum('deleted'), sum('conflicts')];
      if (changed + removed + conflicts > 0) {
        const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
        const parts = [
          `${plural(changed, 'record')} new or changed`,
          ...(removed ? [`${plural(removed, 'record')} no longer in it removed`] : []),
          ...(conflicts ? [`${plural(conflicts, 'conflict')}: see pm conflicts`] : []),
        ];
        const file = relative(this.io.cwd, ws.paths.snapshot) || ws.paths.snapshot;
        this.out.note(this.out.c.dim(`pm: took in ${file} (${parts.join(', ')})`));
      }
    } catch (error) {
      if (strict || !isPmError(error)) throw error;
      this.out.note(
        `${this.out.c.yellow('warning:')} could not take in .pm/data.json: ${error.message} (run pm sync import to see every problem)`,
      );
    }
  }

  /** The pm server commands run through: `--server`, else `PM_SERVER`; undefined for the local database. */
  get serverUrl(): string | undefined {
    return this.serverFlag ?? (this.io.env.PM_SERVER?.trim() || undefined);
  }

  tracker(): Promise<Tracker> {
    const server = this.serverUrl;
    if (server !== undefined) return (this.#tracker ??= this.remoteTracker(server));
    this.#tracker ??= this.workspace().then(
      (ws) =>
        new LocalTracker({
          store: ws.store,
          clock: ws.clock,
          doneStatuses: doneStatuses(ws.config),
          get actor() {
            return ws.actor;
          },
        }),
    );
    return this.#tracker;
  }

  /** Sync runs against remote trackers: run here, or through the pm server when one is set. */
  async syncService(): Promise<SyncService> {
    const server = this.serverUrl;
    if (server !== undefined) {
      const { HttpSyncService } = await import('../client/index.js');
      return new HttpSyncService(await this.httpClient(server));
    }
    const ws = await this.workspace();
    const { LocalSyncService, SyncEngine } = await import('../sync/index.js');
    const engine = new SyncEngine({
      store: ws.store,
      connections: (name) => resolveConnection(ws.paths, this.io.env, ws.config, name),
      log: (message) => this.out.warn(message),
    });
    return new LocalSyncService(engine, ws.store.sync, { actor: ws.actor, source_ip: null, user_agent: `pm/${VERSION} (cli)` });
  }

  /** The tracker of a pm server, acting as the local actor, with `PM_TOKEN` if set. */
  private async remoteTracker(url: string): Promise<Tracker> {
    const { HttpTracker } = await import('../client/index.js');
    return new HttpTracker(await this.httpClient(url));
  }

  /** A client of a pm server, acting as the local actor, with `PM_TOKEN` if set. */
  private async httpClient(url: string) {
    const { HttpClient } = await import('../client/index.js');
    const { env, cwd } = this.io;
    let actor: string | undefined;
    const token = env.PM_TOKEN?.trim();
    return new HttpClient({ url, ...(token ? { token } : {}), actor: () => (actor ??= resolveActor(env, cwd)) });
  }

  /**
   * The project to use when none was given: `default_project` from config.toml, if set. Through
   * a server, the local config.toml is read when there is one; the database is not opened.
   */
  async defaultProject(given: string | undefined): Promise<string | undefined> {
    if (given !== undefined) return given;
    return this.setting((config) => config.default_project);
  }

  /**
   * A setting of config.toml. Through a server, the local config.toml is read when there is one;
   * the database is not opened.
   */
  async setting<T>(pick: (config: Config) => T): Promise<T | undefined> {
    if (this.serverUrl !== undefined) return this.localConfigValue(pick);
    return pick((await this.workspace()).config);
  }

  private localConfigValue<T>(pick: (config: Config) => T): T | undefined {
    try {
      return pick(readConfig(findWorkspace(this.io.cwd, this.io.env).config));
    } catch (error) {
      if (error instanceof ConfigError && error.code === 'not_initialized') return undefined;
      throw error;
    }
  }

  /**
   * After a command succeeded: with `auto_export` on, write .pm/data.json if the command (or an
   * earlier one) left changes it lacks, so git always sees the current state: a large file in a
   * process of its own, which the command does not wait for. With it off and
   * pm's pre-commit hook installed, only mark the file changed, for `git commit -a` to take it.
   */
  async afterSuccess(): Promise<void> {
    const opened = this.#workspace;
    if (!opened) return;
    const ws = await opened.catch(() => undefined);
    if (!ws || !this.autoExport) return;
    const failure = takeExportFailure(ws.paths);
    if (failure) this.out.warn(`a background export of .pm/data.json failed: ${failure}`);
    if (!(await hasUnexportedChanges(ws.store))) return;
    try {
      if (autoExport(ws.config)) {
        if (this.io.bin && fileSize(ws.paths.snapshot) >= backgroundExportBytes(ws.config)) {
          await startBackgroundExport(this.io.bin, this.io, this.out, ws.store, ws.paths);
        } else await exportSnapshot(ws.store, ws.paths);
      } else if (!unexportedMarked(ws.paths)) {
        const root = workTree(ws.paths.root);
        if (root && pmHookInstalled(root, 'pre-commit')) await markUnexported(ws.store, ws.paths);
      }
    } catch (error) {
      const explained = this.explain(error);
      if (!isPmError(explained)) throw error;
      this.out.warn(`.pm/data.json was not updated: ${explained.message}`);
    }
  }

  /** A failure as the user should read it: a full disk, a read-only .pm/ or a damaged database named as such. */
  explain(error: unknown): unknown {
    let database: string | undefined;
    if (this.serverUrl === undefined) {
      try {
        database = findWorkspace(this.io.cwd, this.io.env).database;
      } catch {
        // No workspace: nothing of it to name.
      }
    }
    return explainFailure(error, database);
  }

  async close(): Promise<void> {
    const ws = this.#workspace;
    this.#workspace = undefined;
    if (ws) await (await ws.catch(() => undefined))?.close();
  }
}
