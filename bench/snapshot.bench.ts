import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/index.js';
import { writeSnapshotFile } from '../src/sync/index.js';
import { editSnapshot } from './edit.js';
import { engineShare, exportFloor, importFloor, initWorkspace, pgImportFloor, pmRun } from './floors.js';
import { generateDataset, loadDataset, recordCount, type DatasetSize } from './generate.js';
import { figure, nodeRssFloor, type Figure, type Floor } from './lib.js';

/** The PostgreSQL the PostgreSQL figures use (each run in schemas of its own, dropped after). */
const POSTGRES_URL = process.env.PM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchemas(names: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const name of names) await client.query(`drop schema if exists ${name} cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Snapshot export and import of the data set, on SQLite and PostgreSQL, each against a plain
 * floor in the same run; and the peak memory of importing a file three times the data set's
 * items (300,000 at full size).
 */
export async function snapshotBench(workdir: string, loaded: string, size: DatasetSize): Promise<Figure[]> {
  const figures: Figure[] = [];
  const database = join(loaded, '.pm', 'data.db');
  const snapshot = join(loaded, '.pm', 'data.json');
  const rss = nodeRssFloor();

  // Export, and its floor: the same records already in memory, JSON.stringify'd to a file.
  const exported = pmRun(loaded, ['sync', 'export']);
  const compact = join(workdir, 'floor.json');
  const exportPlain = exportFloor(database, compact, workdir);
  figures.push(
    figure('snapshot: export the data set', exported.ms / 1000, 's', {
      value: exportPlain.ms / 1000,
      name: 'records in memory, JSON.stringify each, write',
    }),
    figure('snapshot: export peak RSS', exported.rssMb, 'MB', rss),
    figure('snapshot: file size', statSync(snapshot).size / 1048576, 'MiB', {
      value: statSync(compact).size / 1048576,
      name: 'the same records as compact JSON lines',
    }),
  );
  rmSync(compact, { force: true });

  // Import into an empty database: against JSON.parse + prepared inserts, and against SQLite alone.
  const fresh = initWorkspace(join(workdir, 'fresh'));
  copyFileSync(snapshot, join(fresh, '.pm', 'data.json'));
  const imported = pmRun(fresh, ['sync', 'import']);
  const plainDir = initWorkspace(join(workdir, 'floor-import'));
  const importPlain = importFloor(snapshot, join(plainDir, '.pm', 'data.db'), 'insert', workdir);
  rmSync(plainDir, { recursive: true, force: true });
  const engine = engineShare(database, workdir);
  figures.push(
    figure('snapshot: import into an empty database', imported.ms / 1000, 's', {
      value: importPlain.ms / 1000,
      name: 'JSON.parse each line + prepared inserts',
    }),
    figure('snapshot: the same import against the storage work alone', imported.ms / 1000, 's', {
      value: engine / 1000,
      name: "SQLite's own share (rows ready: inserts, indexes, commit)",
    }),
    figure('snapshot: import peak RSS', imported.rssMb, 'MB', rss),
  );

  // Round trip: the database the import made exports the very same bytes (a check, not a figure).
  pmRun(fresh, ['sync', 'export', '--output', 'roundtrip.json']);
  if (!readFileSync(join(fresh, 'roundtrip.json')).equals(readFileSync(snapshot)))
    throw new Error('round trip of the data set is not byte-identical');
  process.stderr.write('snapshot: round trip export → import → export is byte-identical (checked)\n');

  // Merge-import of the file with 10% of its records changed, into the database it came from.
  const edited = join(workdir, 'edited.json');
  const changed = editSnapshot(snapshot, edited, { every: 10, at: '2026-12-01T12:00:00.000Z', tag: 'edited' });
  spawnSync('sqlite3', [join(fresh, '.pm', 'data.db'), 'pragma wal_checkpoint(truncate)']);
  const upsertDir = initWorkspace(join(workdir, 'floor-merge'));
  copyFileSync(join(fresh, '.pm', 'data.db'), join(upsertDir, '.pm', 'data.db'));
  copyFileSync(edited, join(fresh, '.pm', 'data.json'));
  const merged = pmRun(fresh, ['sync', 'import']);
  const mergePlain = importFloor(edited, join(upsertDir, '.pm', 'data.db'), 'upsert', workdir);
  rmSync(upsertDir, { recursive: true, force: true });
  rmSync(fresh, { recursive: true, force: true });
  figures.push(
    figure(`snapshot: merge-import with 10% changed (${changed} records)`, merged.ms / 1000, 's', {
      value: mergePlain.ms / 1000,
      name: 'JSON.parse each line + prepared upserts',
    }),
    figure('snapshot: merge-import peak RSS', merged.rssMb, 'MB', rss),
  );

  figures.push(...(await postgresImports(workdir, snapshot, edited)));
  figures.push(...(await largeImport(workdir, size)));
  figures.push(hostileImport(workdir, rss));
  rmSync(edited, { force: true });
  return figures;
}

/**
 * The peak memory of refusing a hostile file: `{"schema_version":1,"comments":[{},{},…]}`, 2M
 * empty records in 16 MB on one line each (not pm's layout), five problems apiece.
 */
function hostileImport(workdir: string, rss: Floor): Figure {
  const dir = mkdtempSync(join(workdir, 'hostile-'));
  const file = join(dir, 'empty-records.json');
  writeFileSync(file, `{"schema_version":1,"comments":[${new Array<string>(2_000_000).fill('{}').join(',\n      ')}]}\n`);
  const refused = pmRun(initWorkspace(join(dir, 'repo')), ['sync', 'import', file], {}, 7);
  rmSync(dir, { recursive: true, force: true });
  return figure('snapshot: refuse 2M empty records (16 MB) peak RSS', refused.rssMb, 'MB', rss);
}

/** The same imports into PostgreSQL (COPY), against COPY + one merge per table done plainly. */
async function postgresImports(workdir: string, snapshot: string, edited: string): Promise<Figure[]> {
  if (!(await postgresReachable())) {
    process.stderr.write(`snapshot: PostgreSQL figures skipped, no PostgreSQL at ${POSTGRES_URL} (set PM_BENCH_POSTGRES_URL)\n`);
    return [];
  }
  const stamp = `pm_bench_${process.pid}_${Date.now().toString(36)}`;
  const schemas = [`${stamp}_pm`, `${stamp}_floor`];
  const [pmUrl, floorUrl] = schemas.map((s) => `${POSTGRES_URL}?schema=${s}`) as [string, string];
  try {
    const repo = initWorkspace(join(workdir, 'postgres'), { PM_DATABASE_URL: pmUrl });
    initWorkspace(join(workdir, 'postgres-floor'), { PM_DATABASE_URL: floorUrl });
    const env = { PM_DATABASE_URL: pmUrl };
    const imported = pmRun(repo, ['sync', 'import', snapshot], env);
    const importPlain = pgImportFloor(snapshot, floorUrl, 'insert', workdir);
    const merged = pmRun(repo, ['sync', 'import', edited], env);
    const mergePlain = pgImportFloor(edited, floorUrl, 'upsert', workdir);
    return [
      figure('snapshot: import into an empty PostgreSQL database', imported.ms / 1000, 's', {
        value: importPlain.ms / 1000,
        name: 'JSON.parse each line + COPY to a staging table + one merge per table',
      }),
      figure('snapshot: merge-import with 10% changed, PostgreSQL', merged.ms / 1000, 's', {
        value: mergePlain.ms / 1000,
        name: 'JSON.parse each line + COPY to a staging table + one upsert per table',
      }),
    ];
  } finally {
    await dropSchemas(schemas);
  }
}

/** Peak memory of importing a file with three times the data set's items (300,000 at full size). */
async function largeImport(workdir: string, size: DatasetSize): Promise<Figure[]> {
  const data = generateDataset({ ...size, items: size.items * 3 }, 43);
  const dir = mkdtempSync(join(workdir, 'large-'));
  const file = join(dir, 'large.json');
  const source = await openStore(join(dir, 'source.db'));
  try {
    await loadDataset(source, data);
    await writeSnapshotFile(source, file);
  } finally {
    await source.close();
  }
  const repo = initWorkspace(join(dir, 'repo'));
  const imported = pmRun(repo, ['sync', 'import', file]);
  rmSync(dir, { recursive: true, force: true });
  const items = data.work_items.length.toLocaleString('en');
  return [
    figure(
      `snapshot: import peak RSS, ${items} items (${recordCount(data).toLocaleString('en')} records)`,
      imported.rssMb,
      'MB',
      nodeRssFloor(),
    ),
  ];
}
