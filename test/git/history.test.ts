import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, createTeam, freshCloneOf, setAutoExport, setUp, type Clone, type Team } from '../helpers/git.js';

interface Item {
  key: string;
  title: string;
  status: string;
  deleted_at: string | null;
}

const live = async (clone: Clone) => (await clone.json<Item[]>('item', 'list', '--all')).map((i) => i.title).sort();

/** Alice's repository: project WEB with three items, committed. */
async function start(): Promise<{ team: Team; alice: Clone }> {
  const team = createTeam();
  const alice = team.clone('alice');
  await setUp(alice);
  await alice.pm('project', 'add', 'WEB', 'Website');
  for (const title of ['One', 'Two', 'Three']) await alice.pm('item', 'add', '--type', 'task', title);
  commitAll(alice, 'start');
  return { team, alice };
}

/**
 * The rule every case here follows: the database is the checked-out data.json plus the edits
 * not exported yet. So after any command the file is unchanged (git status is clean) and a
 * fresh clone of the commit holds exactly what this clone holds.
 */
async function expectFollowsFile(team: Team, clone: Clone): Promise<void> {
  await clone.pm('item', 'list');
  expect(clone.git('status', '--porcelain'), 'data.json rewritten').toBe('');
  const fresh = await freshCloneOf(team, clone, `${clone.name}-${Math.random().toString(36).slice(2, 8)}`);
  expect(await fresh.database()).toBe(await clone.database());
}

describe('a data.json that git moves back in history', () => {
  it('git revert of a deletion brings the item back, here and in fresh clones', async () => {
    const { team, alice } = await start();
    await alice.pm('item', 'rm', 'WEB-2', '--yes');
    commitAll(alice, 'remove Two');
    alice.git('revert', '--no-edit', 'HEAD');
    expect(await live(alice)).toEqual(['One', 'Three', 'Two']);
    await expectFollowsFile(team, alice);
  });

  it('git revert of an addition takes the item out, here and in fresh clones', async () => {
    const { team, alice } = await start();
    await alice.pm('item', 'add', '--type', 'task', 'Four');
    commitAll(alice, 'add Four');
    alice.git('revert', '--no-edit', 'HEAD');
    expect(await live(alice)).toEqual(['One', 'Three', 'Two']);
    await expectFollowsFile(team, alice);
  });

  it('git checkout of an older data.json makes the database that file, and a commit keeps it', async () => {
    const { team, alice } = await start();
    await alice.pm('item', 'edit', 'WEB-1', '--title', 'One, renamed');
    await alice.pm('item', 'rm', 'WEB-3', '--yes');
    commitAll(alice, 'edits');
    await alice.pm('item', 'add', '--type', 'task', 'Four');
    commitAll(alice, 'more');
    alice.git('checkout', 'HEAD~2', '--', '.pm/data.json');
    expect(await live(alice)).toEqual(['One', 'Three', 'Two']);
    commitAll(alice, 'back to the start');
    await expectFollowsFile(team, alice);
  });

  it('git stash takes uncommitted edits out of the database, pop brings them back, drop loses them', async () => {
    const { team, alice } = await start();
    await alice.pm('item', 'edit', 'WEB-1', '--title', 'One, stashed');
    await alice.pm('item', 'add', '--type', 'task', 'Stashed too');
    alice.git('stash');
    expect(await live(alice)).toEqual(['One', 'Three', 'Two']);
    alice.git('stash', 'pop');
    expect(await live(alice)).toEqual(['One, stashed', 'Stashed too', 'Three', 'Two']);
    alice.git('stash');
    alice.git('stash', 'drop');
    expect(await live(alice)).toEqual(['One', 'Three', 'Two']);
    await expectFollowsFile(team, alice);
  });

  it('takes in a value changed by hand in data.json as written', async () => {
    const { team, alice } = await start();
    const file = join(alice.dir, '.pm', 'data.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"title":"Two"', '"title":"Deux"'));
    expect(await live(alice)).toEqual(['Deux', 'One', 'Three']);
    commitAll(alice, 'hand edit');
    await expectFollowsFile(team, alice);
  });
});

describe('switching branches', () => {
  it('leaves items of the other branch behind, and main’s data.json untouched', async () => {
    const { team, alice } = await start();
    alice.git('checkout', '-q', '-b', 'feature');
    await alice.pm('item', 'add', '--type', 'task', 'Feature work');
    await alice.pm('item', 'edit', 'WEB-1', '--status', 'in_progress');
    commitAll(alice, 'feature');
    alice.git('checkout', '-q', 'main');
    expect(await live(alice)).toEqual(['One', 'Three', 'Two']);
    expect((await alice.json<Item>('item', 'show', 'WEB-1')).status).not.toBe('in_progress');
    await alice.pm('item', 'add', '--type', 'task', 'Main work');
    expect(alice.snapshot()).not.toContain('Feature work');
    commitAll(alice, 'main work');
    await expectFollowsFile(team, alice);
    alice.git('checkout', '-q', 'feature');
    expect(await live(alice)).toEqual(['Feature work', 'One', 'Three', 'Two']);
    await expectFollowsFile(team, alice);
  });

  it('carries edits not exported yet across, as git carries uncommitted changes', async () => {
    const { alice } = await start();
    setAutoExport(alice, false);
    commitAll(alice, 'no auto-export');
    alice.git('branch', 'feature');
    await alice.pm('item', 'add', '--type', 'task', 'Not exported');
    await alice.pm('item', 'edit', 'WEB-2', '--title', 'Two, not exported');
    alice.git('checkout', '-q', 'feature');
    expect(await live(alice)).toEqual(['Not exported', 'One', 'Three', 'Two, not exported']);
    const status = await alice.json<{ unexported: Record<string, number> }>('sync', 'status');
    expect(status.unexported).toEqual({ work_items: 2 });
  });
});

describe('a data.json pm cannot take in', () => {
  it('is never overwritten by the next command: the write waits, unexported, until the file is fixed', async () => {
    const { team, alice } = await start();
    alice.git('push', '-q', 'origin', 'main');
    const bob = team.clone('bob');
    await setUp(bob);
    await bob.pm('item', 'edit', 'WEB-2', '--title', 'Two (bob)');
    // A teammate's commit that this pm refuses: a record with a status value it does not know.
    const file = join(bob.dir, '.pm', 'data.json');
    const broken = readFileSync(file, 'utf8').replace('"priority":"medium"', '"priority":"urgent"');
    writeFileSync(file, broken);
    bob.git('commit', '-q', '--no-verify', '-am', 'bob edits, one by hand');
    bob.git('push', '-q', 'origin', 'main');

    alice.git('pull', '-q', 'origin', 'main');
    const add = await alice.run('item', 'add', '--type', 'task', 'Four');
    expect(add.code).toBe(0);
    expect(add.stderr).toMatch(/could not take in \.pm\/data\.json/);
    expect(add.stderr).toMatch(/data\.json was not updated/);
    expect(alice.snapshot()).toBe(broken);
    expect(alice.git('status', '--porcelain')).toBe('');
    expect((await alice.run('sync', 'status', '--json')).json()).toMatchObject({
      unexported: { work_items: 1 },
      snapshot: { not_taken_in: true },
    });

    // Bob fixes his file; Alice pulls and gets both his edit and her item.
    writeFileSync(file, broken.replace('"priority":"urgent"', '"priority":"high"'));
    bob.git('commit', '-q', '--no-verify', '-am', 'fix the priority');
    bob.git('push', '-q', 'origin', 'main');
    alice.git('pull', '-q', 'origin', 'main');
    expect(await live(alice)).toEqual(['Four', 'One', 'Three', 'Two (bob)']);
    expect(alice.snapshot()).toContain('"title":"Four"');
    commitAll(alice, 'four');
    await expectFollowsFile(team, alice);
  });
});

describe('edits not exported yet', () => {
  it('survive a take-in of a data.json reformatted and reordered, and of the next change to it', async () => {
    const { team, alice } = await start();
    alice.git('push', '-q', 'origin', 'main');
    const bob = team.clone('bob');
    await setUp(bob);
    // No hooks: nothing marks data.json changed, so git pulls over edits that only the database has.
    await alice.pm('hooks', 'uninstall');
    setAutoExport(alice, false);
    await alice.pm('item', 'edit', 'WEB-1', '--title', 'One (alice, not exported)');

    // Bob's editor pretty-prints the file and his script sorts every array newest first.
    const file = join(bob.dir, '.pm', 'data.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const value of Object.values(data)) if (Array.isArray(value)) value.reverse();
    writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
    bob.git('commit', '-q', '--no-verify', '-am', 'reformat');
    bob.git('push', '-q', 'origin', 'main');
    alice.git('pull', '-q', 'origin', 'main');
    expect((await alice.json<Item>('item', 'show', 'WEB-1')).title).toBe('One (alice, not exported)');

    await bob.pm('item', 'edit', 'WEB-1', '--status', 'review');
    commitAll(bob, 'review');
    bob.git('push', '-q', 'origin', 'main');
    alice.git('pull', '-q', 'origin', 'main');
    expect(await alice.json<Item>('item', 'show', 'WEB-1')).toMatchObject({
      title: 'One (alice, not exported)',
      status: 'review',
    });
  });
});
