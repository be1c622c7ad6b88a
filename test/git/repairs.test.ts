import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, createTeam, setUp, type Clone, type ConflictView as Conflict } from '../helpers/git.js';
import { serveWorkspace } from '../helpers/server.js';

interface Record {
  id: string;
  key?: string;
  name?: string;
  title?: string;
  status_value?: string;
  sprint_id?: string | null;
  deleted_at: string | null;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * Alice and Bob start from the same data, then each makes changes that are fine on their own
 * but together leave states local commands forbid: an item in a deleted sprint, a dependency
 * on a deleted item, two lanes for one status, two sprints with one name, an item in a
 * deleted project. Which side acted later decides what the repair keeps.
 */
async function divergeIntoForbiddenStates() {
  const team = createTeam();
  const alice = team.clone('alice');
  await setUp(alice);
  for (const [key, title] of [
    ['WEB', 'Website'],
    ['OPS', 'Operations'],
    ['DOC', 'Docs'],
  ])
    await alice.pm('project', 'add', key!, title!);
  for (const title of ['One', 'Two', 'Three']) await alice.pm('item', 'add', '--project', 'WEB', '--type', 'task', title);
  await alice.pm('item', 'add', '--project', 'OPS', '--type', 'task', 'Ops task');
  for (const name of ['Sprint 1', 'Sprint 2'])
    await alice.pm('sprint', 'add', name, '--project', 'WEB', '--start', '2026-12-01', '--end', '2026-12-14');
  commitAll(alice, 'start');
  alice.git('push', '-q', 'origin', 'main');
  const bob = team.clone('bob');
  await setUp(bob);

  // Earlier: Alice deletes what Bob will then use; Bob puts to use what Alice will then delete.
  await alice.pm('sprint', 'rm', 'Sprint 1', '--yes');
  await alice.pm('item', 'rm', 'WEB-3', '--yes');
  await alice.pm('lane', 'add', 'QA', '--status', 'qa');
  await alice.pm('sprint', 'add', 'Sprint 3', '--project', 'WEB', '--start', '2027-01-01', '--end', '2027-01-14');
  await alice.pm('project', 'rm', 'OPS', '--force');
  await bob.pm('item', 'edit', 'WEB-2', '--sprint', 'Sprint 2');
  await bob.pm('item', 'add', '--project', 'DOC', '--type', 'task', 'Doc task');
  await tick();
  // Later: Bob's uses of what Alice deleted, and Alice's deletions of what Bob used.
  await bob.pm('item', 'edit', 'WEB-1', '--sprint', 'Sprint 1');
  await bob.pm('dep', 'add', 'WEB-1', 'blocks', 'WEB-3');
  await bob.pm('lane', 'add', 'Testing', '--status', 'qa');
  await bob.pm('sprint', 'add', 'sprint 3', '--project', 'WEB', '--start', '2027-01-15', '--end', '2027-01-28');
  await bob.pm('item', 'add', '--project', 'OPS', '--type', 'task', 'New ops task');
  await tick();
  await alice.pm('sprint', 'rm', 'Sprint 2', '--yes');
  await alice.pm('project', 'rm', 'DOC', '--force');
  return { team, alice, bob };
}

async function all<T>(clone: Clone, type: string): Promise<T[]> {
  const { openStore } = await import('../../src/store/index.js');
  const store = await openStore(join(clone.dir, '.pm', 'data.db'), { migrate: false });
  try {
    return (await store.list(type as 'projects', { includeDeleted: true })) as unknown as T[];
  } finally {
    await store.close();
  }
}

/** What each repair left, the same on both sides, each recorded as a conflict. */
async function expectRepaired(alice: Clone, bob: Clone): Promise<void> {
  expect(await bob.database()).toBe(await alice.database());
  for (const clone of [alice, bob]) {
    const sprints = await all<Record>(clone, 'sprints');
    const live = (name: string) => sprints.find((s) => s.name === name)!.deleted_at === null;
    const items = await all<Record>(clone, 'work_items');
    const item = (title: string) => items.find((i) => i.title === title)!;
    const sprintOf = (title: string) => sprints.find((s) => s.id === item(title).sprint_id)?.name ?? null;
    // Bob put WEB-1 into Sprint 1 after Alice deleted it: the sprint is back.
    expect(live('Sprint 1')).toBe(true);
    expect(sprintOf('One')).toBe('Sprint 1');
    // Alice deleted Sprint 2 after Bob put WEB-2 in it: WEB-2 left it.
    expect(live('Sprint 2')).toBe(false);
    expect(sprintOf('Two')).toBeNull();
    // WEB-1 blocks WEB-3, and WEB-3 is deleted: the dependency is deleted.
    expect((await all<Record>(clone, 'dependencies')).every((d) => d.deleted_at !== null)).toBe(true);
    // Two lanes for qa: Alice's, created first, stays.
    const qa = (await all<Record>(clone, 'swim_lanes')).filter((l) => l.status_value === 'qa' && l.deleted_at === null);
    expect(qa.map((l) => l.name)).toEqual(['QA']);
    // Two sprints named "Sprint 3": Bob's, created later, is renamed.
    expect(
      sprints
        .filter((s) => s.deleted_at === null)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['Sprint 1', 'Sprint 3', 'sprint 3 (2)']);
    // Bob added to OPS after Alice deleted it: OPS is back; Alice deleted DOC after Bob's item: it goes.
    const projects = await all<Record>(clone, 'projects');
    expect(
      projects
        .filter((p) => p.deleted_at === null)
        .map((p) => p.key)
        .sort(),
    ).toEqual(['OPS', 'WEB']);
    expect(item('New ops task').deleted_at).toBeNull();
    expect(item('Doc task').deleted_at).not.toBeNull();

    const conflicts = await clone.json<Conflict[]>('conflicts');
    const repairs = conflicts.map((c) => `${c.entity_type}.${c.field}`).sort();
    expect(repairs).toEqual([
      'dependencies.deleted_at',
      'projects.deleted_at',
      'sprints.deleted_at',
      'sprints.name',
      'swim_lanes.deleted_at',
      'work_items.deleted_at',
      'work_items.sprint_id',
    ]);
    // Local commands work on the result: nothing they forbid is left.
    await clone.pm('sprint', 'add', 'Sprint 4', '--project', 'WEB', '--start', '2027-02-01', '--end', '2027-02-14');
    await clone.pm('lane', 'list');
  }
}

describe('states local commands forbid, made by two clones together', () => {
  it('are repaired the same way by the git merge driver, and recorded as conflicts', async () => {
    const { alice, bob } = await divergeIntoForbiddenStates();
    commitAll(alice, 'alice');
    alice.git('push', '-q', 'origin', 'main');
    commitAll(bob, 'bob');
    bob.git('pull', '-q', '--no-rebase', 'origin', 'main');
    bob.git('push', '-q', 'origin', 'main');
    alice.git('pull', '-q', 'origin', 'main');
    expect(alice.snapshot()).toBe(bob.snapshot());
    await expectRepaired(alice, bob);
  });

  it('are repaired the same way by pm sync import of the other side’s file', async () => {
    const { alice, bob } = await divergeIntoForbiddenStates();
    await alice.pm('sync', 'import', join(bob.dir, '.pm', 'data.json'));
    await bob.pm('sync', 'import', join(alice.dir, '.pm', 'data.json'));
    await expectRepaired(alice, bob);
  });

  it('are repaired the same way by pm sync pull and push with the other side’s server', async () => {
    const { alice, bob } = await divergeIntoForbiddenStates();
    const server = await serveWorkspace(bob.dir);
    await alice.pm('sync', 'pull', server.url);
    await alice.pm('sync', 'push', server.url);
    await server.close();
    await expectRepaired(alice, bob);
  });
});
