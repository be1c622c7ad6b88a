import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PM_BIN } from './lib.js';

/** The floor scripts (plain Node, no pm code), each timing its own work when it can tell it apart. */
const FLOORS = join(import.meta.dirname, 'floors');

export interface Run {
  ms: number;
  rssMb: number;
  cpuMs: number;
}

/**
 * Runs a node script as a child, timing it and reading its peak RSS and CPU time from the file
 * it writes (pm writes one when PM_RUSAGE_FILE names it). A floor that times only its own part
 * reports `ms` there; everything else is timed whole.
 */
export function runChild(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; usage: string; status?: number },
): Run {
  rmSync(options.usage, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== (options.status ?? 0)) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  const usage = JSON.parse(readFileSync(options.usage, 'utf8')) as {
    max_rss_kb: number;
    ms?: number;
    user_ms?: number;
    system_ms?: number;
  };
  return { ms: usage.ms ?? ms, rssMb: usage.max_rss_kb / 1024, cpuMs: (usage.user_ms ?? 0) + (usage.system_ms ?? 0) };
}

/** One pm command as a process of its own, in `cwd`, with its peak RSS and CPU time; `status`: the exit code it must give. */
export function pmRun(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, status = 0): Run {
  const usage = join(cwd, '.pm-rusage.json');
  return runChild([PM_BIN, ...args], {
    cwd,
    usage,
    status,
    env: { PM_ACTOR: 'bench@example.com', PM_RUSAGE_FILE: usage, ...env },
  });
}

/** `pm init` in a new folder (with PM_DATABASE_URL in `env` for PostgreSQL). */
export function initWorkspace(dir: string, env: NodeJS.ProcessEnv = {}): string {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, [PM_BIN, 'init'], {
    cwd: dir,
    env: { ...process.env, PM_ACTOR: 'bench@example.com', ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return dir;
}

function floor(script: string, args: readonly string[], workdir: string): Run {
  const usage = join(workdir, `${script}.usage.json`);
  return runChild([join(FLOORS, script), ...args, usage], { cwd: workdir, usage });
}

/**
 * SQLite's own share of loading a database's rows into an empty one with pm's schema: the rows
 * read beforehand, then timed: pm's insert statements, its indexes built again, the commit.
 */
export function engineShare(sourceDb: string, workdir: string): number {
  const dir = initWorkspace(mkdtempSync(join(workdir, 'engine-')));
  try {
    return floor('engine-import.mjs', [sourceDb, join(dir, '.pm', 'data.db')], workdir).ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON.parse of each record line and prepared inserts (or upserts) into `database`, one transaction. */
export function importFloor(file: string, database: string, mode: 'insert' | 'upsert', workdir: string): Run {
  return floor('import-floor.mjs', [file, database, mode], workdir);
}

/** COPY into a staging table and one merge per table, into the PostgreSQL schema `url` names. */
export function pgImportFloor(file: string, url: string, mode: 'insert' | 'upsert', workdir: string): Run {
  return floor('pg-import-floor.mjs', [file, url, mode], workdir);
}

/** The records of `database` held in memory, each JSON.stringify'd onto its line of `file`. */
export function exportFloor(database: string, file: string, workdir: string): Run {
  return floor('export-floor.mjs', [database, file], workdir);
}

/** Three snapshots read and parsed, merged record by record (the newer wins), the result written. */
export function mergeFloor(base: string, ours: string, theirs: string, out: string, workdir: string): Run {
  return floor('merge-floor.mjs', [base, ours, theirs, out], workdir);
}
