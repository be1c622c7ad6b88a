import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../bench/generate.js';
import { Output } from '../../src/cli/output/output.js';
import { openStore } from '../../src/store/index.js';
import { PM_BIN, pmProcess, testEnv } from '../helpers/cli.js';
import { loadRecords } from '../helpers/snapshot.js';
import { postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

async function initialized(env: Record<string, string> = {}) {
  const cwd = tempDir();
  expect((await pmProcess(['init'], { cwd, env })).code).toBe(0);
  expect((await pmProcess(['project', 'add', 'WEB', 'Website'], { cwd, env })).code).toBe(0);
  return cwd;
}

describe('the pm binary', () => {
  it('prints its version', async () => {
    const r = await pmProcess(['--version'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('gives two item adds started at the same moment different keys', async () => {
    const cwd = await initialized();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => pmProcess(['item', 'add', '--type', 'task', `Task ${i}`, '--json'], { cwd })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const keys = results.map((r) => r.json<{ key: string }>().key).sort();
    expect(new Set(keys).size).toBe(6);
    expect(keys).toEqual(['WEB-1', 'WEB-2', 'WEB-3', 'WEB-4', 'WEB-5', 'WEB-6']);
  });

  it('prints no colour codes when stdout is not a terminal', async () => {
    const cwd = await initialized();
    const r = await pmProcess(['item', 'list', '--all'], { cwd, env: { NO_COLOR: undefined as unknown as string } });
    // eslint-disable-next-line no-control-regex -- looking for ANSI escapes
    expect(r.stdout + r.stderr).not.toMatch(/\u001b\[/);
  });

  it('writes a listing larger than a pipe holds whole, and ends quietly when its reader goes away', async () => {
    const cwd = await initialized();
    const store = await openStore(join(cwd, '.pm', 'data.db'));
    await loadRecords(
      store,
      generateDataset({ projects: 1, sprints: 2, items: 3000, comments: 0, timeEntries: 0, dependencies: 0 }, 5),
    );
    await store.close();
    const args = ['item', 'list', '--all', '--limit', '3000'];
    const whole = await pmProcess(args, { cwd });
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout.split('\n').filter((l) => /^[A-Z]+-\d+ /.test(l))).toHaveLength(3000);
    // `pm item list | head -1`: the reader takes one chunk and closes the pipe.
    const child = spawn(process.execPath, [PM_BIN, ...args], { cwd, env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('runs the same commands on PostgreSQL with PM_DATABASE_URL', async () => {
    const env = { PM_DATABASE_URL: postgresUrl() };
    const cwd = await initialized(env);
    expect((await pmProcess(['item', 'add', '--type', 'story', 'On postgres'], { cwd, env })).code).toBe(0);
    const list = await pmProcess(['item', 'list', '--json'], { cwd, env });
    expect(list.json<{ key: string; title: string }[]>().map((i) => [i.key, i.title])).toEqual([['WEB-1', 'On postgres']]);
    // The SQLite database beside it takes in what the PostgreSQL one exported to .pm/data.json.
    const local = await pmProcess(['item', 'list', '--json'], { cwd });
    expect(local.json<{ title: string }[]>().map((i) => i.title)).toEqual(['On postgres']);
  });

  it('gives concurrent item adds on PostgreSQL different keys', async () => {
    const env = { PM_DATABASE_URL: postgresUrl() };
    const cwd = await initialized(env);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => pmProcess(['item', 'add', '--type', 'task', `Task ${i}`, '--json'], { cwd, env })),
    );
    const keys = results.map((r) => r.json<{ key: string }>().key).sort();
    expect(keys).toEqual(['WEB-1', 'WEB-2', 'WEB-3', 'WEB-4']);
  });
});

describe('colour', () => {
  const io = (isTTY: boolean, env: NodeJS.ProcessEnv) => ({
    cwd: '/',
    env,
    isTTY,
    columns: 80,
    stdout: { write: () => true },
    stderr: { write: () => true },
  });

  it('is used on a terminal', () => {
    expect(new Output(io(true, {})).c.red('x')).not.toBe('x');
  });

  it('is never used with NO_COLOR or off a terminal', () => {
    expect(new Output(io(true, { NO_COLOR: '' })).c.red('x')).toBe('x');
    expect(new Output(io(false, {})).c.red('x')).toBe('x');
  });
});
