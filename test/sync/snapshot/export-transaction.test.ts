import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../../bench/generate.js';
import { backgroundExportPids } from '../../../bench/lib.js';
import { openStore } from '../../../src/store/index.js';
import { PM_BIN, pmProcess, testEnv } from '../../helpers/cli.js';
import { MEDIUM, loadRecords, snapshotText } from '../../helpers/snapshot.js';
import { sizeOf, tempDir } from '../../helpers/temp.js';

describe('an export of .pm/data.json', () => {
  it('holds no write transaction while it writes the file: a write from another process commits meanwhile', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const dbPath = join(cwd, '.pm', 'data.db');
    const seed = await openStore(dbPath);
    await loadRecords(seed, generateDataset(MEDIUM, 6));
    await seed.close();
    const temp = () => readdirSync(join(cwd, '.pm')).find((n) => n.startsWith('.data.json.tmp-'));

    const child = spawn(process.execPath, [PM_BIN, 'sync', 'export'], { cwd, env: testEnv(), stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const writing = () => {
      const name = temp();
      return name !== undefined && sizeOf(join(cwd, '.pm', name)) > 1024 * 1024;
    };
    for (let i = 0; i < 4000 && !writing() && child.exitCode === null; i++) await sleep(5);
    expect(writing()).toBe(true);

    // Before, this waited for the export to write and rename the file (or gave up after 10 s).
    const store = await openStore(dbPath);
    try {
      const [item] = await store.list('work_items', { limit: 1 });
      await store.write((tx) => tx.upsertMany('work_items', [{ ...item!, title: 'written during the export' }]));
      expect(temp()).toBeDefined();
      expect(await exited).toBe(0);
      // Its command then exports again what came after (auto-export, in the background for a
      // file this large): the file ends up whole and current.
      for (let i = 0; i < 2000 && backgroundExportPids(cwd).length > 0; i++) await sleep(10);
      expect(readFileSync(join(cwd, '.pm', 'data.json'), 'utf8')).toBe(await snapshotText(store));
    } finally {
      await store.close();
    }
  });
});
