import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, createTeam, setAutoExport, setUp } from '../helpers/git.js';

const USER_HOOK = '#!/bin/sh\necho "user hook ran" >> "$(git rev-parse --show-toplevel)/hook.log"\n';

describe('pm hooks', () => {
  it("run after the user's own pre-commit hook and put it back untouched on uninstall", async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    const hook = join(alice.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, USER_HOOK);
    chmodSync(hook, 0o750);
    await setUp(alice);
    expect(readFileSync(hook, 'utf8')).toContain('pm-hook');
    await alice.pm('project', 'add', 'WEB', 'Website');
    writeFileSync(join(alice.dir, 'code.txt'), 'code');
    commitAll(alice, 'first');
    expect(readFileSync(join(alice.dir, 'hook.log'), 'utf8')).toBe('user hook ran\n');
    expect(alice.git('show', '--name-only', '--format=', 'HEAD').split('\n')).toContain('.pm/data.json');
    await alice.pm('hooks', 'uninstall');
    expect(readFileSync(hook, 'utf8')).toBe(USER_HOOK);
    expect(statSync(hook).mode & 0o777).toBe(0o750);
    for (const other of ['post-merge', 'post-checkout', 'post-rewrite'])
      expect(existsSync(join(alice.dir, '.git', 'hooks', other))).toBe(false);
  });

  it("stop the commit when the user's hook fails", async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    const hook = join(alice.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho no >&2\nexit 3\n');
    chmodSync(hook, 0o755);
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Website');
    expect(() => commitAll(alice, 'refused')).toThrow(/git commit/);
  });

  it('chain with a core.hooksPath set-up (husky, lefthook) and restore it', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    mkdirSync(join(alice.dir, '.husky', '_'), { recursive: true });
    const hook = join(alice.dir, '.husky', '_', 'pre-commit');
    writeFileSync(hook, USER_HOOK);
    chmodSync(hook, 0o755);
    alice.git('config', 'core.hooksPath', '.husky/_');
    await setUp(alice);
    expect(readFileSync(hook, 'utf8')).toContain('pm-hook');
    expect(existsSync(join(alice.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    await alice.pm('project', 'add', 'WEB', 'Website');
    commitAll(alice, 'first');
    expect(readFileSync(join(alice.dir, 'hook.log'), 'utf8')).toBe('user hook ran\n');
    await alice.pm('hooks', 'uninstall');
    expect(readFileSync(hook, 'utf8')).toBe(USER_HOOK);
  });

  it('do nothing at all when pm is not installed', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Website');
    commitAll(alice, 'with pm');
    writeFileSync(join(alice.dir, 'code.txt'), 'more code');
    alice.git('add', 'code.txt');
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync('git', ['commit', '-m', 'without pm'], {
      cwd: alice.dir,
      env: { ...team.env, PATH: '/usr/bin:/bin' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('without pm');
    expect(alice.git('status', '--porcelain')).toBe('');
  });

  it('stage .pm/data.json and nothing else', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    writeFileSync(join(alice.dir, 'staged.txt'), 'staged');
    writeFileSync(join(alice.dir, 'unstaged.txt'), 'unstaged');
    await alice.pm('project', 'add', 'WEB', 'Website');
    alice.git('add', 'staged.txt', '.gitattributes', '.pm/.gitignore', '.pm/config.toml');
    alice.git('commit', '-q', '-m', 'commit');
    const files = alice.git('show', '--name-only', '--format=', 'HEAD').split('\n').sort();
    expect(files).toEqual(['.gitattributes', '.pm/.gitignore', '.pm/config.toml', '.pm/data.json', 'staged.txt']);
    expect(alice.git('status', '--porcelain')).toBe('?? unstaged.txt');
  });

  it('take in data.json on a branch switch', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Website');
    commitAll(alice, 'main');
    alice.git('checkout', '-q', '-b', 'feature');
    await alice.pm('item', 'add', '--type', 'task', 'On the feature branch');
    commitAll(alice, 'feature');
    alice.git('checkout', '-q', 'main');
    alice.git('push', '-q', 'origin', 'main', 'feature');
    const bob = team.clone('bob');
    await setUp(bob);
    expect(await bob.json('item', 'list')).toEqual([]);
    bob.git('checkout', '-q', 'feature');
    expect((await bob.json<{ title: string }[]>('item', 'list')).map((i) => i.title)).toEqual(['On the feature branch']);
  });
});

describe('pm sync init', () => {
  it('installs the hooks and registers the merge driver, so a commit carries data.json', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice, { hooks: false });
    alice.git('config', '--unset', 'merge.pm.driver');
    const r = await alice.pm('sync', 'init');
    expect(r.stdout).toContain("registered the pm merge driver in this clone's git config");
    for (const hook of ['pre-commit', 'post-merge', 'post-checkout', 'post-rewrite'])
      expect(readFileSync(join(alice.dir, '.git', 'hooks', hook), 'utf8')).toContain('pm-hook');
    expect(alice.git('config', '--get', 'merge.pm.driver')).toContain('merge-driver %O %A %B %P');
    await alice.pm('project', 'add', 'WEB', 'Website');
    writeFileSync(join(alice.dir, 'code.txt'), 'code');
    alice.git('add', 'code.txt');
    alice.git('commit', '-q', '-m', 'code only');
    expect(alice.git('show', '--name-only', '--format=', 'HEAD').split('\n')).toContain('.pm/data.json');
  });
});

describe('a fresh clone', () => {
  it('needs no manual step: the first command takes in data.json and registers the merge driver', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Website');
    await alice.pm('item', 'add', '--type', 'story', 'Shared');
    commitAll(alice, 'first');
    alice.git('push', '-q', 'origin', 'main');
    const bob = team.clone('bob');
    expect(() => bob.git('config', '--get', 'merge.pm.driver')).toThrow();
    const list = await bob.pm('item', 'list', '--json');
    expect(list.json<{ title: string }[]>().map((i) => i.title)).toEqual(['Shared']);
    expect(list.stderr).toContain('registered the pm merge driver');
    expect(bob.git('config', '--get', 'merge.pm.driver')).toContain('merge-driver %O %A %B %P');
    expect(bob.git('status', '--porcelain')).toBe('');
  });
});

describe('pm hooks with auto_export off', () => {
  it('let git commit -am commit a change made only in pm', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    setAutoExport(alice, false);
    await alice.pm('project', 'add', 'WEB', 'Website');
    commitAll(alice, 'start');
    await alice.pm('item', 'add', '--type', 'task', 'Only in the database');
    // Not written, only marked: git status shows there is something to commit.
    expect(alice.git('status', '--porcelain')).toBe('M .pm/data.json');
    expect(alice.snapshot()).not.toContain('Only in the database');
    alice.git('commit', '-q', '-am', 'pm only');
    expect(alice.git('show', '--name-only', '--format=', 'HEAD')).toBe('.pm/data.json');
    expect(alice.git('show', 'HEAD:.pm/data.json')).toContain('Only in the database');
    expect(alice.git('status', '--porcelain')).toBe('');
  });
});

describe('a .gitignore that ignores *.json', () => {
  it('does not keep data.json out of git: pm init re-includes it', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    writeFileSync(join(alice.dir, '.gitignore'), '*.json\n');
    commitAll(alice, 'ignore json');
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Website');
    commitAll(alice, 'start');
    expect(alice.git('ls-files', '.pm')).toContain('.pm/data.json');
    expect(readFileSync(join(alice.dir, '.pm', '.gitignore'), 'utf8')).toContain('!data.json');
  });

  it('is reported by pm sync status, and does not make every commit fail', async () => {
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    // A workspace made before pm re-included data.json, in a repository that ignores *.json.
    const local = join(alice.dir, '.pm', '.gitignore');
    writeFileSync(local, readFileSync(local, 'utf8').replace(/^!.*\n/gm, ''));
    writeFileSync(join(alice.dir, '.gitignore'), 'node_modules/\n*.json\n');
    await alice.pm('project', 'add', 'WEB', 'Website');
    const status = await alice.run('sync', 'status');
    expect(status.stdout).toMatch(/\.pm\/data\.json is ignored by git \(\.gitignore:2: \*\.json\)/);
    expect((await alice.run('sync', 'status', '--json')).json()).toMatchObject({
      snapshot: { ignored_by: '.gitignore:2: *.json' },
    });
    writeFileSync(join(alice.dir, 'code.txt'), 'code');
    alice.git('add', 'code.txt', '.gitignore');
    const commit = alice.gitAll('commit', '-m', 'code');
    expect(commit).toMatch(/data\.json is ignored by git/);
    expect(alice.git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['.gitignore', 'code.txt']);
    // pm init, run again, re-includes it; the next commit takes it.
    await alice.pm('init');
    expect(readFileSync(local, 'utf8')).toContain('!data.json');
    alice.git('add', '.pm/.gitignore');
    alice.git('commit', '-q', '-m', 'tracked again');
    expect(alice.git('ls-files', '.pm')).toContain('.pm/data.json');
  });
});
