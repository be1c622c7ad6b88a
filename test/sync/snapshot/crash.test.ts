import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { generateDataset, rng } from '../../../bench/generate.js';
import { backgroundExportPids } from '../../../bench/lib.js';
import { openStore } from '../../../src/store/index.js';
import { snapshotChanged, type SnapshotPaths } from '../../../src/sync/index.js';
import { PM_BIN, pmProcess, testEnv } from '../../helpers/cli.js';
import { MEDIUM, bigSnapshotFile, loadRecords, snapshotText } from '../../helpers/snapshot.js';
import { DIALECTS, POSTGRES_URL, postgresUrl } from '../../helpers/stores.js';
import { sizeOf, tempDir } from '../../helpers/temp.js';

/** Starts pm, waits until `started()` says it is well into its work, then kills it with SIGKILL. */
async function killMidway(
  cwd: string,
  args: string[],
  started: () => boolean | Promise<boolean>,
  env: Record<string, string> = {},
): Promise<string> {
  const child = spawn(process.execPath, [PM_BIN, ...args], { cwd, env: testEnv(env), stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 2000 && !(await started()); i++) await sleep(5);
  const ran = await started();
  child.kill('SIGKILL');
  const code = await exited;
  return ran && code === null ? 'killed midway' : `not killed midway (started ${ran}, exit ${code})`;
}

async function workspaceWithData(): Promise<string> {
  const cwd = tempDir();
  expect((await pmProcess(['init'], { cwd })).code).toBe(0);
  const store = await openStore(join(cwd, '.pm', 'data.db'));
  await loadRecords(store, generateDataset({ ...MEDIUM, items: 50, comments: 50, timeEntries: 10, dependencies: 10 }, 1));
  await store.close();
  return cwd;
}

/** What the database (a file or a PostgreSQL URL) holds, as a snapshot. */
async function snapshotOf(dbPath: string): Promise<string> {
  const store = await openStore(dbPath);
  try {
    return await snapshotText(store);
  } finally {
    await store.close();
  }
}

/**
 * Whether pm's merge base (its file with the lines patched exports kept) is the tracked file's
 * bytes: touched, so only its contents can tell, the file counts as unchanged.
 */
async function baseIsFile(dbPath: string, paths: SnapshotPaths): Promise<boolean> {
  utimesSync(paths.snapshot, new Date(), new Date(Date.now() + 5000));
  const store = await openStore(dbPath);
  try {
    return !(await snapshotChanged(store, paths));
  } finally {
    await store.close();
  }
}

describe('a pm killed with SIGKILL', () => {
  it('in the middle of an import leaves the database as it was', async () => {
    const cwd = await workspaceWithData();
    const file = await bigSnapshotFile(2);
    const dbPath = join(cwd, '.pm', 'data.db');
    const before = await snapshotOf(dbPath);
    const wal = `${dbPath}-wal`;
    const outcome = await killMidway(cwd, ['sync', 'import', file], () => sizeOf(wal) > 8 * 1024 * 1024);
    expect(outcome).toBe('killed midway');
    expect(await snapshotOf(dbPath)).toBe(before);
    const again = await pmProcess(['sync', 'import', file, '--json'], { cwd });
    expect(again.code).toBe(0);
  });

  it('in the middle of an import into a new workspace (rollback journal, not WAL) leaves it as it was', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const file = await bigSnapshotFile(4);
    const dbPath = join(cwd, '.pm', 'data.db');
    const empty = sizeOf(dbPath);
    const before = await snapshotOf(dbPath);
    // Pages go straight into the file: it grows while the journal keeps the way back.
    const outcome = await killMidway(
      cwd,
      ['sync', 'import', file],
      () => sizeOf(`${dbPath}-journal`) > 0 && sizeOf(dbPath) > empty + 8 * 1024 * 1024,
    );
    expect(outcome).toBe('killed midway');
    expect(await snapshotOf(dbPath)).toBe(before);
    const again = await pmProcess(['sync', 'import', file, '--json'], { cwd });
    expect(again.code).toBe(0);
    expect(await snapshotOf(dbPath)).toBe(readFileSync(file, 'utf8'));
  });

  it('in the middle of an export leaves data.json as it was', async () => {
    const cwd = await workspaceWithData();
    expect((await pmProcess(['sync', 'export'], { cwd })).code).toBe(0);
    const snapshot = join(cwd, '.pm', 'data.json');
    const before = readFileSync(snapshot);
    const store = await openStore(join(cwd, '.pm', 'data.db'));
    await loadRecords(store, generateDataset(MEDIUM, 3));
    await store.close();
    const temp = () => readdirSync(join(cwd, '.pm')).find((n) => n.startsWith('.data.json.tmp-'));
    const outcome = await killMidway(cwd, ['sync', 'export'], () => {
      const name = temp();
      return name !== undefined && sizeOf(join(cwd, '.pm', name)) > 4 * 1024 * 1024;
    });
    expect(outcome).toBe('killed midway');
    expect(readFileSync(snapshot).equals(before)).toBe(true);
    expect((await pmProcess(['sync', 'export'], { cwd })).code).toBe(0);
    expect(temp()).toBeUndefined();
    expect(readFileSync(snapshot).equals(before)).toBe(false);
  });
});

/** A workspace of 6,000 items (data set `seed`), data.json exported: what the crash rounds patch. */
async function exportedWorkspace(seed: number) {
  const cwd = tempDir();
  expect((await pmProcess(['init'], { cwd })).code).toBe(0);
  const dbPath = join(cwd, '.pm', 'data.db');
  const store = await openStore(dbPath);
  await loadRecords(
    store,
    generateDataset({ ...MEDIUM, items: 6000, comments: 6000, timeEntries: 2000, dependencies: 1000 }, seed),
  );
  await store.close();
  expect((await pmProcess(['sync', 'export'], { cwd })).code).toBe(0);
  const snapshot = join(cwd, '.pm', 'data.json');
  const temp = () => readdirSync(join(cwd, '.pm')).some((n) => n.startsWith('.data.json.tmp-'));
  const project = (JSON.parse(readFileSync(snapshot, 'utf8')) as { projects: { key: string }[] }).projects[0]!.key;
  return { cwd, dbPath, snapshot, temp, project };
}

describe('pm item add killed with SIGKILL at random moments while it patches data.json', () => {
  it('leaves the old file or the new one, whole, every time, and the next command goes on', async () => {
    const { cwd, dbPath, snapshot, temp, project } = await exportedWorkspace(4);
    const { next: random } = rng(3);
    let duringExport = 0;
    for (let round = 0; round < 16; round++) {
      const before = readFileSync(snapshot, 'utf8');
      const child = spawn(process.execPath, [PM_BIN, 'item', 'add', '--project', project, '--type', 'task', `round ${round}`], {
        cwd,
        env: testEnv(),
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Half the rounds at a random moment of the command, half at one of its export.
      const waitForExport = round % 2 === 1;
      const deadline = Date.now() + (waitForExport ? 20_000 : 100 + random() * 900);
      while (Date.now() < deadline && child.exitCode === null && !(waitForExport && temp())) await sleep(1);
      if (waitForExport) await sleep(random() * 15);
      if (temp()) duringExport++;
      child.kill('SIGKILL');
      await exited;
      const after = readFileSync(snapshot, 'utf8');
      expect(() => JSON.parse(after) as unknown).not.toThrow();
      if (after !== before) expect(after).toBe(await snapshotOf(dbPath));
      if (round % 4 === 3) {
        expect((await pmProcess(['item', 'add', '--project', project, '--type', 'task', `after ${round}`], { cwd })).code).toBe(
          0,
        );
        expect(readFileSync(snapshot, 'utf8')).toBe(await snapshotOf(dbPath));
        expect(temp()).toBe(false);
        expect(await baseIsFile(dbPath, { snapshot, bases: join(cwd, '.pm', 'bases') })).toBe(true);
      }
    }
    expect(duringExport).toBeGreaterThanOrEqual(4);
  });
});

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // it ended between the look in /proc and now
  }
}

const unmarked = (text: string) => (text.endsWith('\n\n') ? text.slice(0, -1) : text);

describe('a background export killed with SIGKILL at random moments', () => {
  it('leaves the old file or the new one, whole, every time, and the next export writes it', async () => {
    const { cwd, dbPath, snapshot, temp, project } = await exportedWorkspace(5);
    expect((await pmProcess(['config', 'set', 'sync.background_export_mb', '0'], { cwd })).code).toBe(0);
    const { next: random } = rng(6);
    let duringExport = 0;
    for (let round = 0; round < 12; round++) {
      const before = readFileSync(snapshot, 'utf8');
      expect((await pmProcess(['item', 'add', '--project', project, '--type', 'task', `round ${round}`], { cwd })).code).toBe(0);
      // Half the rounds at a random moment of the export, half once it writes its file.
      const waitForFile = round % 2 === 1;
      const deadline = Date.now() + (waitForFile ? 20_000 : random() * 400);
      while (Date.now() < deadline && !(waitForFile && temp())) await sleep(1);
      if (waitForFile) await sleep(random() * 15);
      if (temp()) duringExport++;
      for (const pid of backgroundExportPids(cwd)) killIfAlive(pid);
      for (let i = 0; i < 500 && backgroundExportPids(cwd).length > 0; i++) await sleep(5);
      const after = readFileSync(snapshot, 'utf8');
      expect(() => JSON.parse(after) as unknown).not.toThrow();
      // The command marks the file unexported (a newline at its end) before the export.
      if (unmarked(after) !== unmarked(before)) expect(after).toBe(await snapshotOf(dbPath));
      if (round % 4 === 3) {
        expect((await pmProcess(['sync', 'export', '--pending'], { cwd })).code).toBe(0);
        expect(readFileSync(snapshot, 'utf8')).toBe(await snapshotOf(dbPath));
        expect(await baseIsFile(dbPath, { snapshot, bases: join(cwd, '.pm', 'bases') })).toBe(true);
      }
    }
    expect(duringExport).toBeGreaterThanOrEqual(4);
  });
});

describe.skipIf(!DIALECTS.includes('postgres'))('a pm on PostgreSQL killed with SIGKILL', () => {
  it('in the middle of an import leaves the database as it was, and the import then lands whole', async () => {
    const cwd = tempDir();
    const url = postgresUrl();
    const env = { PM_DATABASE_URL: url };
    expect((await pmProcess(['init'], { cwd, env })).code).toBe(0);
    const file = await bigSnapshotFile(5);
    const before = await snapshotOf(url);
    // The table's file grows as COPY writes rows that only the commit would make visible.
    const schema = new URL(url).searchParams.get('schema')!;
    const observer = new pg.Client({ connectionString: POSTGRES_URL });
    await observer.connect();
    const commentBytes = async () =>
      Number((await observer.query<{ n: string }>(`select pg_relation_size('${schema}.comments') as n`)).rows[0]!.n);
    const empty = await commentBytes();
    try {
      const outcome = await killMidway(
        cwd,
        ['sync', 'import', file],
        async () => (await commentBytes()) > empty + 1024 * 1024,
        env,
      );
      expect(outcome).toBe('killed midway');
    } finally {
      await observer.end();
    }
    expect(await snapshotOf(url)).toBe(before);
    const again = await pmProcess(['sync', 'import', file, '--json'], { cwd, env });
    expect(again.code).toBe(0);
    expect(await snapshotOf(url)).toBe(readFileSync(file, 'utf8'));
  });
});
