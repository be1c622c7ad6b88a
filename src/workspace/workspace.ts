import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, systemClock, type Clock } from '../domain/index.js';
import { openStore, type Store } from '../store/index.js';
import { readConfig, type Config } from './config.js';

export const PM_DIR_NAME = '.pm';

/** Where a repository's pm files live. */
export interface WorkspacePaths {
  /** The `.pm` directory. */
  dir: string;
  /** The directory that holds `.pm` (usually the git work tree). */
  root: string;
  config: string;
  database: string;
  snapshot: string;
  /** Bases of three-way merges: the snapshot last exchanged with each peer. */
  bases: string;
  secrets: string;
  tmp: string;
}

export function pathsFor(dir: string): WorkspacePaths {
  const abs = resolve(dir);
  return {
    dir: abs,
    root: dirname(abs),
    config: join(abs, 'config.toml'),
    database: join(abs, 'data.db'),
    snapshot: join(abs, 'data.json'),
    bases: join(abs, 'bases'),
    secrets: join(abs, 'secrets.toml'),
    tmp: join(abs, 'tmp'),
  };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Finds `.pm/` as git finds `.git`: `PM_DIR` if set, else the nearest one walking up from `cwd`. */
export function findWorkspace(cwd: string, env: NodeJS.ProcessEnv): WorkspacePaths {
  if (env.PM_DIR) {
    const dir = resolve(cwd, env.PM_DIR);
    if (!isDir(dir)) throw new ConfigError('not_initialized', `PM_DIR=${env.PM_DIR} is not a directory: run pm init`);
    return pathsFor(dir);
  }
  for (let at = resolve(cwd); ; at = dirname(at)) {
    const candidate = join(at, PM_DIR_NAME);
    if (isDir(candidate) && (existsSync(join(candidate, 'config.toml')) || existsSync(join(candidate, 'data.db')))) {
      return pathsFor(candidate);
    }
    if (dirname(at) === at) break;
  }
  throw new ConfigError('not_initialized', `no .pm/ directory in ${resolve(cwd)} or any parent: run pm init`);
}

/** Who is acting: `PM_ACTOR`, else git's user.email, else the login name. */
export function resolveActor(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.PM_ACTOR?.trim()) return env.PM_ACTOR.trim();
  try {
    // node:child_process is loaded only here: most commands never ask who is acting.
    const email = process
      .getBuiltinModule('node:child_process')
      .execFileSync('git', ['config', 'user.email'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 2000,
      })
      .trim();
    if (email) return email;
  } catch {
    // not a git repository or no identity configured
  }
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The database a workspace uses: `PM_DATABASE_URL` (PostgreSQL) or `.pm/data.db`. */
export function databaseTarget(paths: WorkspacePaths, env: NodeJS.ProcessEnv): string {
  return env.PM_DATABASE_URL?.trim() || paths.database;
}

/** An opened workspace: its paths, settings and store. */
export interface Workspace {
  paths: WorkspacePaths;
  config: Config;
  store: Store;
  clock: Clock;
  /** Resolved on first use: finding the git identity costs a process spawn. */
  readonly actor: string;
  close(): Promise<void>;
}

export interface OpenWorkspaceOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  paths?: WorkspacePaths;
}

export async function openWorkspace(options: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const paths = options.paths ?? findWorkspace(cwd, env);
  const config = readConfig(paths.config);
  // Many commands only read: Kysely loads when one does more (see SqliteReadStore).
  const store = await openStore(databaseTarget(paths, env), { readFirst: true });
  let actor: string | undefined;
  return {
    paths,
    config,
    store,
    clock: options.clock ?? systemClock,
    get actor() {
      return (actor ??= resolveActor(env, paths.root));
    },
    close: () => store.close(),
  };
}
