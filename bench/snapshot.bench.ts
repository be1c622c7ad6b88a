import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITY_TYPES, type AnyRecord, type EntityType } from '../src/domain/index.js';
import { canonicalRecord } from '../src/sync/index.js';
import { PM_BIN, figure, type Figure } from './lib.js';

interface Run {
  ms: number;
  rssMb: number;
}

/** Runs a node script as a child, timing it and reading its peak RSS from the file it writes. */
function runChild(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; usage: string }): Run {
  rmSync(options.usage, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
  const usage = JSON.parse(readFileSync(options.usage, 'utf8')) as { max_rss_kb: number; ms?: number };
  // A floor that times only its own part reports it; everything else is timed whole.
  return { ms: usage.ms ?? ms, rssMb: usage.max_rss_kb / 1024 };
}

function pmRun(cwd: string, ...args: string[]): Run {
  const usage = join(cwd, 'rusage.json');
  return runChild([PM_BIN, ...args], { cwd, usage, env: { PM_ACTOR: 'bench@example.com', PM_RUSAGE_FILE: usage } });
}

function init(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, [PM_BIN, 'init'], { cwd: dir, env: { ...process.env, PM_ACTOR: 'bench@example.com' } });
  if (r.status !== 0) throw new Error(r.stderr.toString());
}

const floors = join(import.meta.dirname, 'floors');

/**
 * Changes every tenth record of a snapshot the way a teammate's edits would: one field, with
 * its clock, `updated_at` and `version` moved on. Returns the new file's path.
 */
function editTenPercent(source: string, target: string): number {
  const lines = readFileSync(source, 'utf8').split('\n');
  let type: EntityType | undefined;
  let n = 0;
  let changed = 0;
  const at = '2026-12-01T12:00:00.000Z';
  const field: Partial<Record<EntityType, string>> = {
    projects: 'title',
    sprints: 'goal',
    work_items: 'title',
    comments: 'content',
    dependencies: 'deleted_at',
    time_entries: 'description',
  };
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    const open = /^"([a-z_]+)": \[/.exec(t);
    if (open) type = open[1] as EntityType;
    if (!t.startsWith('{"id"') || !type || !field[type]) continue;
    if (n++ % 10 !== 0) continue;
    const comma = t.endsWith(',');
    const record = JSON.parse(comma ? t.slice(0, -1) : t) as AnyRecord & Record<string, unknown>;
    const f = field[type]!;
    record[f] = f === 'deleted_at' ? at : `${(record[f] as string | null) ?? ''} (edited)`;
    record.updated_at = at;
    record.version += 1;
    record.field_updated_at = { ...record.field_updated_at, [f]: at };
    lines[i] = `    ${canonicalRecord(type, record)}${comma ? ',' : ''}`;
    changed++;
  }
  writeFileSync(target, lines.join('\n'));
  return changed;
}

/** Snapshot export and import (issue 3), each against its floor measured in the same run. */
export function snapshotBench(workdir: string, loaded: string): Figure[] {
  const figures: Figure[] = [];
  const snapshot = join(loaded, '.pm', 'data.json');

  // Export of the 100k data set, and its floor on the same database.
  const exported = pmRun(loaded, 'sync', 'export');
  const exportFloor = runChild(
    [join(floors, 'export-floor.mjs'), join(loaded, '.pm', 'data.db'), join(workdir, 'floor.json'), join(workdir, 'u.json')],
    {
      cwd: workdir,
      usage: join(workdir, 'u.json'),
    },
  );
  const size = statSync(snapshot).size / 1048576;
  figures.push(
    figure('snapshot: export 100k data set', exported.ms / 1000, 's', {
      floor: exportFloor.ms / 1000,
      target: '≤ 1.5 s, ≤ 2× floor',
    }),
    figure('snapshot: export peak RSS', exported.rssMb, 'MB', { target: '≤ 256 MB' }),
    figure('snapshot: file size', size, 'MiB'),
  );

  // Import into an empty database, and its floor into an empty database with the same schema.
  const fresh = join(workdir, 'fresh');
  init(fresh);
  copyFileSync(snapshot, join(fresh, '.pm', 'data.json'));
  const imported = pmRun(fresh, 'sync', 'import');
  const floorDir = join(workdir, 'floor-import');
  init(floorDir);
  const importFloor = runChild(
    [join(floors, 'import-floor.mjs'), snapshot, join(floorDir, '.pm', 'data.db'), 'insert', join(workdir, 'u.json')],
    {
      cwd: workdir,
      usage: join(workdir, 'u.json'),
    },
  );
  // What SQLite alone spends on the same rows, encoded in advance, as pm's bulk load writes them.
  const engineDir = join(workdir, 'engine-import');
  init(engineDir);
  const engine = runChild(
    [
      join(floors, 'engine-import.mjs'),
      join(loaded, '.pm', 'data.db'),
      join(engineDir, '.pm', 'data.db'),
      join(workdir, 'u.json'),
    ],
    { cwd: workdir, usage: join(workdir, 'u.json') },
  );
  figures.push(
    figure('snapshot: import into an empty database', imported.ms / 1000, 's', {
      floor: importFloor.ms / 1000,
      target: '≤ 2.5 s, ≤ 2× floor',
    }),
    figure('snapshot: import peak RSS', imported.rssMb, 'MB', { target: '≤ 256 MB' }),
    figure("snapshot: import, SQLite's own share (rows ready: insert, indexes, commit)", engine.ms / 1000, 's'),
  );

  // Round trip: the database the import made exports the very same bytes.
  pmRun(fresh, 'sync', 'export', '--output', 'roundtrip.json');
  if (!readFileSync(join(fresh, 'roundtrip.json')).equals(readFileSync(snapshot))) {
    throw new Error('round trip of the 100k data set is not byte-identical');
  }
  figures.push(figure('snapshot: round trip export → import → export identical', 1, 'yes'));

  // Merge-import of the file with 10% of its records changed, into the database it came from.
  const edited = join(workdir, 'edited.json');
  const changed = editTenPercent(snapshot, edited);
  spawnSync('sqlite3', [join(fresh, '.pm', 'data.db'), 'pragma wal_checkpoint(truncate)']);
  const upsertDir = join(workdir, 'floor-merge');
  init(upsertDir);
  copyFileSync(join(fresh, '.pm', 'data.db'), join(upsertDir, '.pm', 'data.db'));
  copyFileSync(edited, join(fresh, '.pm', 'data.json'));
  const merged = pmRun(fresh, 'sync', 'import');
  const mergeFloor = runChild(
    [join(floors, 'import-floor.mjs'), edited, join(upsertDir, '.pm', 'data.db'), 'upsert', join(workdir, 'u.json')],
    {
      cwd: workdir,
      usage: join(workdir, 'u.json'),
    },
  );
  figures.push(
    figure(`snapshot: merge-import with 10% changed (${changed} records)`, merged.ms / 1000, 's', {
      floor: mergeFloor.ms / 1000,
      target: '≤ 3 s, ≤ 2× floor',
    }),
    figure('snapshot: merge-import peak RSS', merged.rssMb, 'MB', { target: '≤ 256 MB' }),
  );
  return figures;
}

export { ENTITY_TYPES };
