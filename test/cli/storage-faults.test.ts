import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM_BIN, boundPm, pmProcess } from '../helpers/cli.js';
import { cannotMount, fill, remount, tmpfs } from '../helpers/mounts.js';
import { tempDir } from '../helpers/temp.js';

/** A workspace with one item, WEB-1 "A", in `dir`. */
async function workspace(dir: string) {
  const cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Web']);
  await cli.ok(['item', 'add', '--type', 'task', 'A']);
  return cli;
}

const run = (dir: string, args: string[]) => pmProcess(args, { cwd: dir });

describe('a full disk', () => {
  it('refuses a write with disk_full naming data.db, without "Updated", while list and show still work', async ({ skip }) => {
    if (cannotMount) skip(cannotMount);
    const dir = tmpfs('2m');
    await workspace(dir);
    const filler = fill(dir);
    const edit = await run(dir, ['item', 'edit', 'WEB-1', '--title', 'B']);
    expect(edit.code, edit.stderr).toBe(10);
    expect(edit.stderr).toContain(`cannot write ${join(dir, '.pm', 'data.db')}: the disk is full`);
    expect(edit.stdout).not.toContain('Updated');
    const list = await run(dir, ['item', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/WEB-1 .* A/);
    const show = await run(dir, ['item', 'show', 'WEB-1', '--json']);
    expect(show.json<{ title: string; version: number }>()).toMatchObject({ title: 'A', version: 1 });
    rmSync(filler);
    expect((await run(dir, ['item', 'edit', 'WEB-1', '--title', 'B'])).code).toBe(0);
  });
});

describe('a read-only .pm', () => {
  it('refuses a write with read_only naming the folder, while list and show still work', async ({ skip }) => {
    if (cannotMount) skip(cannotMount);
    const dir = tmpfs('8m');
    await workspace(dir);
    remount(dir, 'ro');
    try {
      const edit = await run(dir, ['item', 'edit', 'WEB-1', '--title', 'B']);
      expect(edit.code, edit.stderr).toBe(10);
      expect(edit.stderr).toContain(`cannot write ${join(dir, '.pm', 'data.db')}: ${join(dir, '.pm')} is read-only`);
      expect(edit.stdout).toBe('');
      const list = await run(dir, ['item', 'list']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/WEB-1 .* A/);
      expect((await run(dir, ['item', 'show', 'WEB-1'])).code).toBe(0);
    } finally {
      remount(dir, 'rw');
    }
  });
});

describe('a damaged data.db', () => {
  it('is named with the rebuild from data.json, and that command, run as printed, brings every record back', async () => {
    const dir = tempDir();
    const cli = await workspace(dir);
    await cli.ok(['comment', 'add', 'WEB-1', 'hello']);
    writeFileSync(join(dir, '.pm', 'data.db'), 'not a database '.repeat(400));
    const list = await run(dir, ['item', 'list']);
    expect(list.code).toBe(7);
    expect(list.stderr).toContain(`${join(dir, '.pm', 'data.db')} is damaged`);
    const command = /rebuild from it with "([^"]+)"/.exec(list.stderr)?.[1];
    expect(command).toContain('pm sync import');
    // `pm` on the PATH is this build.
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pm'), `#!/bin/sh\nexec "${process.execPath}" "${PM_BIN}" "$@"\n`, { mode: 0o755 });
    execFileSync('sh', ['-c', command!], {
      cwd: dir,
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, PM_ACTOR: 'tester@example.com', NO_COLOR: '1' },
      stdio: 'pipe',
    });
    const after = await run(dir, ['item', 'show', 'WEB-1', '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.json<{ title: string; comments: { content: string }[] }>()).toMatchObject({
      title: 'A',
      comments: [{ content: 'hello' }],
    });
  });
});
