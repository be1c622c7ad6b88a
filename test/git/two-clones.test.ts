import { describe, expect, it } from 'vitest';
import { commitAll, createTeam, setUp, type Clone, type ConflictView as Conflict } from '../helpers/git.js';

interface Item {
  key: string;
  title: string;
  status: string;
  priority: string;
  sprint_id: string | null;
  deleted_at: string | null;
}

/** A project with three items and two sprints that both clones start from. */
async function start(rebase: boolean) {
  const team = createTeam();
  const alice = team.clone('alice');
  await setUp(alice);
  await alice.pm('project', 'add', 'WEB', 'Website');
  await alice.pm('sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14');
  await alice.pm('sprint', 'add', 'Sprint 2', '--start', '2026-12-15', '--end', '2026-12-28');
  for (const title of ['One', 'Two', 'Three']) await alice.pm('item', 'add', '--type', 'task', title);
  commitAll(alice, 'start tracking');
  alice.git('push', '-q', 'origin', 'main');
  const bob = team.clone('bob');
  await setUp(bob);
  bob.git('config', 'pull.rebase', rebase ? 'true' : 'false');
  alice.git('config', 'pull.rebase', rebase ? 'true' : 'false');
  expect((await bob.json<Item[]>('item', 'list')).map((i) => i.title)).toEqual(['One', 'Two', 'Three']);
  return { alice, bob };
}

/** Alice commits and pushes first; Bob commits, pulls (merge or rebase) and pushes; Alice pulls. */
function exchange(alice: Clone, bob: Clone): void {
  commitAll(alice, 'alice works');
  alice.git('push', '-q', 'origin', 'main');
  commitAll(bob, 'bob works');
  bob.git('pull', '-q', 'origin', 'main');
  bob.git('push', '-q', 'origin', 'main');
  alice.git('pull', '-q', 'origin', 'main');
}

async function expectInStep(alice: Clone, bob: Clone): Promise<void> {
  for (const clone of [alice, bob]) {
    expect(clone.snapshot(), `${clone.name}: conflict markers`).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    expect(clone.git('status', '--porcelain'), `${clone.name}: git status`).toBe('');
  }
  expect(bob.snapshot()).toBe(alice.snapshot());
  expect(await bob.json('item', 'list', '--all', '--deleted')).toEqual(await alice.json('item', 'list', '--all', '--deleted'));
}

describe.each([
  ['git pull (merge)', false],
  ['git pull --rebase', true],
])('two clones editing at once, then %s', (_name, rebase) => {
  it('keeps both edits to different fields of the same item', async () => {
    const { alice, bob } = await start(rebase);
    await alice.pm('item', 'edit', 'WEB-1', '--title', 'One (alice)');
    await bob.pm('item', 'edit', 'WEB-1', '--status', 'review');
    exchange(alice, bob);
    await expectInStep(alice, bob);
    expect(await alice.json<Item>('item', 'show', 'WEB-1')).toMatchObject({ title: 'One (alice)', status: 'review' });
    expect(await alice.json<Conflict[]>('conflicts')).toEqual([]);
  });

  it('decides the same field by the newer write and lists the decision on both clones', async () => {
    const { alice, bob } = await start(rebase);
    await alice.pm('item', 'edit', 'WEB-2', '--title', 'Two (alice)');
    await new Promise((r) => setTimeout(r, 5));
    await bob.pm('item', 'edit', 'WEB-2', '--title', 'Two (bob, later)');
    exchange(alice, bob);
    await expectInStep(alice, bob);
    expect((await alice.json<Item>('item', 'show', 'WEB-2')).title).toBe('Two (bob, later)');
    for (const clone of [alice, bob]) {
      const conflicts = await clone.json<Conflict[]>('conflicts');
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ entity_type: 'work_items', field: 'title' });
      expect([conflicts[0]!.ours_value, conflicts[0]!.theirs_value].sort()).toEqual(['Two (alice)', 'Two (bob, later)']);
    }
  });

  it('lets a later edit win over a delete, and a later delete win over an edit', async () => {
    const { alice, bob } = await start(rebase);
    await alice.pm('item', 'rm', 'WEB-1', '--yes');
    await alice.pm('item', 'edit', 'WEB-3', '--priority', 'high');
    await new Promise((r) => setTimeout(r, 5));
    await bob.pm('item', 'edit', 'WEB-1', '--priority', 'critical');
    await bob.pm('item', 'rm', 'WEB-3', '--yes');
    exchange(alice, bob);
    await expectInStep(alice, bob);
    const items = await alice.json<Item[]>('item', 'list', '--all', '--deleted');
    expect(items.find((i) => i.key === 'WEB-1')).toMatchObject({ deleted_at: null, priority: 'critical' });
    expect(items.find((i) => i.key === 'WEB-3')?.deleted_at).not.toBeNull();
  });

  it('renumbers one of two items both clones created offline with the same number', async () => {
    const { alice, bob } = await start(rebase);
    await alice.pm('item', 'add', '--type', 'task', 'Four (alice)');
    await new Promise((r) => setTimeout(r, 5));
    await bob.pm('item', 'add', '--type', 'task', 'Four (bob)');
    exchange(alice, bob);
    await expectInStep(alice, bob);
    const items = await alice.json<Item[]>('item', 'list', '--all');
    expect(items.map((i) => [i.key, i.title])).toEqual([
      ['WEB-1', 'One'],
      ['WEB-2', 'Two'],
      ['WEB-3', 'Three'],
      ['WEB-4', 'Four (alice)'],
      ['WEB-5', 'Four (bob)'],
    ]);
    expect(await alice.json<Conflict[]>('conflicts')).toEqual([]);
    const recorded = await alice.json<(Conflict & { resolution: string | null })[]>('conflicts', '--all');
    expect(recorded.map((c) => [c.field, c.resolution])).toEqual([['item_number', 'theirs']]);
    const shown = (await alice.pm('conflicts', '--all')).stdout.split('\n')[1]!;
    expect(shown).toMatch(/ WEB-5 +item_number +WEB-4 +WEB-5 +theirs \(resolved\) +WEB-4 was also minted/);
    expect(shown).toMatch(/^[0-9a-f]{12} +\d{4}-\d\d-\d\d \d\d:\d\d UTC \(just now\) /);
    expect((await alice.json<{ key: string }>('item', 'add', '--type', 'task', 'Six')).key).toBe('WEB-6');
  });

  it('cuts a blocks cycle that the two clones made together', async () => {
    const { alice, bob } = await start(rebase);
    await alice.pm('dep', 'add', 'WEB-1', 'blocks', 'WEB-2');
    await new Promise((r) => setTimeout(r, 5));
    await bob.pm('dep', 'add', 'WEB-2', 'blocks', 'WEB-1');
    exchange(alice, bob);
    await expectInStep(alice, bob);
    const deps = await alice.json<{ blocking_key: string; blocked_key: string }[]>('dep', 'list');
    expect(deps.map((d) => `${d.blocking_key}>${d.blocked_key}`)).toEqual(['WEB-1>WEB-2']);
    expect(
      (await bob.json<Conflict[]>('conflicts')).some((c) => c.entity_type === 'dependencies' && /cycle/.test(c.reason)),
    ).toBe(true);
  });

  it('keeps an item that one clone moved into a sprint the other deleted', async () => {
    const { alice, bob } = await start(rebase);
    await alice.pm('sprint', 'rm', 'Sprint 2', '--yes');
    await bob.pm('item', 'edit', 'WEB-2', '--sprint', 'Sprint 2');
    exchange(alice, bob);
    await expectInStep(alice, bob);
    const item = await alice.json<Item>('item', 'show', 'WEB-2');
    expect(item.sprint_id).not.toBeNull();
    expect(item.deleted_at).toBeNull();
  });
});
