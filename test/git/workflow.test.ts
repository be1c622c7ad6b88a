import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, createTeam, setUp } from '../helpers/git.js';

const titles = async (clone: { json<T>(...args: string[]): Promise<T> }) =>
  (await clone.json<{ title: string }[]>('item', 'list', '--all')).map((i) => i.title).sort();

describe('the complete developer workflow of the source documents', () => {
  it('works step by step with explicit exports and imports', async () => {
    const team = createTeam();
    // Developer A: initialize in any git repo.
    const a = team.clone('alice');
    writeFileSync(join(a.dir, 'index.html'), '<h1>my web app</h1>\n');
    commitAll(a, 'the app');
    await setUp(a, { hooks: false });
    await a.pm('project', 'add', 'V2', 'V2 Redesign');
    await a.pm('item', 'add', '--project', 'V2', '--type', 'story', 'Homepage');
    await a.pm('sync', 'export');
    a.git('add', '.pm/data.json', '.pm/config.toml', '.pm/.gitignore', '.gitattributes');
    a.git('commit', '-q', '-m', 'Add V2 project');
    a.git('push', '-q', 'origin', 'main');
    // Developer B: clone and collaborate.
    const b = team.clone('bob');
    await b.pm('sync', 'import');
    expect(await titles(b)).toEqual(['Homepage']);
    await b.pm('item', 'add', '--project', 'V2', '--type', 'story', 'Navbar');
    await b.pm('sync', 'export');
    b.git('commit', '-q', '-am', 'Add navbar task');
    b.git('push', '-q', 'origin', 'main');
    // Developer A: pull updates.
    a.git('pull', '-q', 'origin', 'main');
    await a.pm('sync', 'import', '--merge');
    expect(await titles(a)).toEqual(['Homepage', 'Navbar']);
    expect(a.git('ls-files', '.pm')).toBe('.pm/.gitignore\n.pm/config.toml\n.pm/data.json');
  });

  it('works with the hooks installed: just pm and git as usual', async () => {
    const team = createTeam();
    const a = team.clone('alice');
    await setUp(a);
    await a.pm('project', 'add', 'V2', 'V2 Redesign');
    await a.pm('item', 'add', '--type', 'story', 'Homepage');
    commitAll(a, 'Add V2 project');
    a.git('push', '-q', 'origin', 'main');

    const b = team.clone('bob');
    await setUp(b);
    expect(await titles(b)).toEqual(['Homepage']);
    await b.pm('item', 'add', '--type', 'story', 'Navbar');
    b.git('commit', '-q', '-am', 'Add navbar task');
    b.git('push', '-q', 'origin', 'main');

    await a.pm('item', 'edit', 'V2-1', '--status', 'in_progress');
    a.git('commit', '-q', '-am', 'My changes');
    a.git('pull', '-q', '--no-rebase', 'origin', 'main');
    expect(await titles(a)).toEqual(['Homepage', 'Navbar']);
    a.git('push', '-q', 'origin', 'main');
    b.git('pull', '-q', 'origin', 'main');
    expect((await b.json<{ status: string }>('item', 'show', 'V2-1')).status).toBe('in_progress');
    for (const clone of [a, b]) expect(clone.git('status', '--porcelain')).toBe('');
    expect(b.snapshot()).toBe(a.snapshot());
  });
});
