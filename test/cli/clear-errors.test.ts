import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { commitAll, createTeam, setUp } from '../helpers/git.js';
import { boundPm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  dir = tempDir();
  cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Web']);
  await cli.ok(['item', 'add', '--type', 'task', 'A', '--priority', 'high']);
});

describe('clear errors that change nothing', () => {
  it('item edit with the values the item has says nothing changed, exits 0 and writes nothing', async () => {
    const snapshot = readFileSync(join(dir, '.pm', 'data.json'), 'utf8');
    const same = await cli.run(['item', 'edit', 'WEB-1', '--title', 'A', '--priority', 'high']);
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('Updated');
    expect(same.stderr).toContain('Nothing changed: WEB-1 already has these values (version 1)');
    expect((await cli.json<{ version: number }>(['item', 'show', 'WEB-1'])).version).toBe(1);
    expect(readFileSync(join(dir, '.pm', 'data.json'), 'utf8')).toBe(snapshot);
    const changed = await cli.run(['item', 'edit', 'WEB-1', '--title', 'B']);
    expect(changed.stdout).toContain('Updated WEB-1 (version 2)');
  });

  it('every other edit with the values the record has says nothing changed too', async () => {
    await cli.ok(['sprint', 'add', 'S1', '--start', '2026-12-01', '--end', '2026-12-14']);
    const comment = (await cli.json<{ id: string }>(['comment', 'add', 'WEB-1', 'hello'])).id;
    const entry = (await cli.json<{ id: string }>(['time', 'add', 'WEB-1', '--duration', '1h', '--description', 'x'])).id;
    for (const [args, what] of [
      [['project', 'edit', 'WEB', '--title', 'Web'], 'project WEB'],
      [['sprint', 'edit', 'S1', '--start', '2026-12-01'], 'sprint S1'],
      [['lane', 'edit', 'todo', '--name', 'To do'], 'lane To do'],
      [['comment', 'edit', comment, 'hello'], `comment ${comment.slice(-12)}`],
      [['time', 'edit', entry, '--description', 'x'], `time entry ${entry.slice(-12)}`],
    ] as const) {
      const r = await cli.run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr).toBe(`Nothing changed: ${what} already has these values (version 1)\n`);
    }
  });

  it('sync import refuses --replace with --merge as clashing options', async () => {
    await cli.ok(['sync', 'export']);
    for (const args of [
      ['--replace', '--merge'],
      ['--merge', '--replace'],
    ]) {
      const r = await cli.run(['sync', 'import', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("option '--merge' cannot be used with option '--replace'");
    }
  });

  it('sync export to a folder that does not exist names the flag and the folder, not a temp file', async () => {
    const r = await cli.run(['sync', 'export', '-o', '/proc/nope/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --output: no such folder: /proc/nope\n');
    const into = await cli.run(['sync', 'export', '-o', join(dir, '.pm', 'data.json', 'x')]);
    expect(into.stderr).toContain(`--output: not a folder: ${join(dir, '.pm', 'data.json')}`);
  });
});

describe('an export killed midway', () => {
  it('leaves a temp file that git ignores, the take-in never reads, and the next export removes', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Web');
    commitAll(alice, 'start');
    // What kill -9 during `pm sync export` leaves: a half-written temp file of a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const temp = join(alice.dir, '.pm', `.data.json.tmp-${gone}-${Date.now()}`);
    writeFileSync(temp, '{"schema_version":1,"projects":[{"id":"half');
    expect(alice.git('status', '--porcelain')).toBe('');
    alice.git('add', '-A');
    expect(alice.git('diff', '--cached', '--name-only')).toBe('');
    const list = await alice.run('project', 'list');
    expect(list.stderr).toBe('');
    expect(list.stdout).toContain('WEB');
    await alice.pm('item', 'add', '--type', 'task', 'B');
    expect(existsSync(temp)).toBe(false);
  });

  it('is ignored in a workspace made before the rule: pm init adds it', async () => {
    const ignore = join(dir, '.pm', '.gitignore');
    writeFileSync(ignore, readFileSync(ignore, 'utf8').replace(/^# Unfinished.*\n.*\n/m, ''));
    expect(readFileSync(ignore, 'utf8')).not.toContain('.*.tmp-*');
    await cli.ok(['init']);
    expect(readFileSync(ignore, 'utf8').split('\n')).toContain('.*.tmp-*');
  });
});
