import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../bench/generate.js';
import { openStore } from '../../../src/store/index.js';
import { PM_BIN, pmProcess, testEnv } from '../../helpers/cli.js';
import { loadRecords, snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { tempDir } from '../../helpers/temp.js';

const MEDIUM = { projects: 4, sprints: 40, items: 30_000, comments: 30_000, timeEntries: 10_000, dependencies: 5_000 };

/** Starts pm, waits until `started()` says it is well into its work, then kills it with SIGKILL. */
async function killMidway(cwd: string, args: string[], started: () => boolean): Promise<string> {
  const child = spawn(process.execPath, [PM_BIN, ...args], { cwd, env: testEnv(), stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 2000 && !started(); i++) await sleep(5);
  const ran = started();
  child.kill('SIGKILL');
  const code = await exited;
  return ran && code === null ? 'killed midway' : `not killed midway (started ${ran}, exit ${code})`;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function workspaceWithData(): Promise<string> {
  const cwd = tempDir();
  expect((await pmProcess(['init'], { cwd })).code).toBe(0);
  const store = await openStore(join(cwd, '.pm', 'data.db'));
  await loadRecords(store, generateDataset({ ...MEDIUM, items: 50, comments: 50, timeEntries: 10, dependencies: 10 }, 1));
  await store.close();
  return cwd;
}

describe('a pm killed with SIGKILL', () => {
  it('in the middle of an import leaves the database as it was', async () => {
    const cwd = await workspaceWithData();
    const big = await openStore(':memory:');
    await loadRecords(big, generateDataset(MEDIUM, 2));
    const file = writeTemp(await snapshotText(big), 'big.json');
    await big.close();
    const dbPath = join(cwd, '.pm', 'data.db');
    const before = await (async () => {
      const s = await openStore(dbPath);
      const t = await snapshotText(s);
      await s.close();
      return t;
    })();
    const wal = `${dbPath}-wal`;
    const outcome = await killMidway(cwd, ['sync', 'import', file], () => sizeOf(wal) > 8 * 1024 * 1024);
    expect(outcome).toBe('killed midway');
    const store = await openStore(dbPath);
    expect(await snapshotText(store)).toBe(before);
    await store.close();
    const again = await pmProcess(['sync', 'import', file, '--json'], { cwd });
    expect(again.code).toBe(0);
  });

  it('in the middle of an import into a new workspace (rollback journal, not WAL) leaves it as it was', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const big = await openStore(':memory:');
    await loadRecords(big, generateDataset(MEDIUM, 4));
    const file = writeTemp(await snapshotText(big), 'big.json');
    await big.close();
    const dbPath = join(cwd, '.pm', 'data.db');
    const empty = sizeOf(dbPath);
    const fresh = await openStore(dbPath);
    const before = await snapshotText(fresh);
    await fresh.close();
    // Pages go straight into the file: it grows while the journal keeps the way back.
    const outcome = await killMidway(
      cwd,
      ['sync', 'import', file],
      () => sizeOf(`${dbPath}-journal`) > 0 && sizeOf(dbPath) > empty + 8 * 1024 * 1024,
    );
    expect(outcome).toBe('killed midway');
    const store = await openStore(dbPath);
    expect(await snapshotText(store)).toBe(before);
    await store.close();
    const again = await pmProcess(['sync', 'import', file, '--json'], { cwd });
    expect(again.code).toBe(0);
    const loaded = await openStore(dbPath);
    expect(await snapshotText(loaded)).toBe(readFileSync(file, 'utf8'));
    await loaded.close();
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
