import { describe, expect, it } from 'vitest';
import { boundPm } from '../helpers/cli.js';
import { commitAll, createTeam, freshCloneOf, setAutoExport, setUp } from '../helpers/git.js';
import { serveWorkspace } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

/** A pm workspace outside git with two items, as another team's server or a backup would hold them. */
async function elsewhere() {
  const cwd = tempDir();
  const other = boundPm(cwd, { PM_ACTOR: 'other@example.com' });
  await other.ok(['init']);
  await other.ok(['project', 'add', 'OPS', 'Operations']);
  await other.ok(['item', 'add', '--type', 'task', 'Rotate keys']);
  await other.ok(['item', 'add', '--type', 'task', 'Renew certificates']);
  await other.ok(['sync', 'export']);
  return { cwd, other };
}

const titles = (items: { title: string }[]) => items.map((i) => i.title).sort();

describe('records that come from elsewhere than git', () => {
  it.each([
    ['pm sync import FILE', (cwd: string) => Promise.resolve(['sync', 'import', `${cwd}/.pm/data.json`])],
    ['pm sync pull URL', async (cwd: string) => ['sync', 'pull', (await serveWorkspace(cwd)).url]],
  ])('%s writes them into data.json, so the next commit carries them', async (_name, command) => {
    const { cwd } = await elsewhere();
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    await alice.pm('project', 'add', 'WEB', 'Website');
    commitAll(alice, 'start');
    await alice.pm(...(await command(cwd)));
    expect(alice.snapshot()).toContain('Rotate keys');
    expect((await alice.json<{ unexported: object }>('sync', 'status')).unexported).toEqual({});
    commitAll(alice, 'take OPS in');
    const fresh = await freshCloneOf(team, alice);
    expect(titles(await fresh.json('item', 'list', '--all'))).toEqual(['Renew certificates', 'Rotate keys']);
    expect(await fresh.database()).toBe(await alice.database());
  });

  it('pm sync status counts what an import took in until it is exported', async () => {
    const { cwd } = await elsewhere();
    const team = createTeam();
    const alice = team.clone('alice');
    await setUp(alice);
    setAutoExport(alice, false);
    await alice.pm('project', 'add', 'WEB', 'Website');
    await alice.pm('sync', 'import', `${cwd}/.pm/data.json`);
    const status = await alice.json<{ unexported: Record<string, number> }>('sync', 'status');
    expect(status.unexported).toEqual({ projects: 2, work_items: 2 });
  });
});
