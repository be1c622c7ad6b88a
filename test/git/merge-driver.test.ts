import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, createTeam, setUp, type Clone } from '../helpers/git.js';

interface Item {
  key: string;
  title: string;
  status: string;
  priority: string;
  aliases: string[];
}

/** Alice and Bob, both on a committed project WEB with four items. */
async function start() {
  const team = createTeam();
  const alice = team.clone('alice');
  await setUp(alice);
  await alice.pm('project', 'add', 'WEB', 'Website');
  for (const title of ['One', 'Two', 'Three', 'Four']) await alice.pm('item', 'add', '--type', 'task', title);
  commitAll(alice, 'start');
  alice.git('push', '-q', 'origin', 'main');
  const bob = team.clone('bob');
  await setUp(bob);
  return { team, alice, bob };
}

/** Edits Bob's data.json by hand, line by line, and commits it as it is. */
function handEdit(bob: Clone, change: (lines: string[]) => string[]): void {
  const file = join(bob.dir, '.pm', 'data.json');
  writeFileSync(file, change(readFileSync(file, 'utf8').split('\n')).join('\n'));
  bob.git('commit', '-q', '--no-verify', '-am', 'edited by hand');
  bob.git('push', '-q', 'origin', 'main');
}

function itemLines(lines: string[]): number[] {
  const start = lines.findIndex((l) => l.startsWith('  "work_items"'));
  const out: number[] = [];
  for (let i = start + 1; lines[i]!.startsWith('    {'); i++) out.push(i);
  return out;
}

/** The merged file: valid, canonical (what pm itself exports), no id twice. */
async function expectCanonical(clone: Clone): Promise<void> {
  const text = clone.snapshot();
  const ids = [...text.matchAll(/^ {4}\{"id":"([^"]+)"/gm)].map((m) => m[1]);
  expect(new Set(ids).size, 'an id appears twice').toBe(ids.length);
  expect(text).toBe(await clone.database());
  expect(clone.git('status', '--porcelain')).toBe('');
}

describe('the merge driver', () => {
  it('accepts a side whose records are out of id order, and duplicates none', async () => {
    const { alice, bob } = await start();
    handEdit(bob, (lines) => {
      const [a, b] = itemLines(lines);
      const swapped = [...lines];
      [swapped[a!], swapped[b!]] = [lines[b!]!.replace(/,$/, '') + ',', lines[a!]!.replace(/,$/, '') + ','];
      return swapped;
    });
    await alice.pm('item', 'edit', 'WEB-3', '--status', 'review');
    commitAll(alice, 'review three');
    alice.git('pull', '-q', '--no-rebase', 'origin', 'main');
    await expectCanonical(alice);
    expect((await alice.json<Item[]>('item', 'list', '--all')).map((i) => i.title)).toEqual(['One', 'Two', 'Three', 'Four']);
    alice.git('push', '-q', 'origin', 'main');
    bob.git('pull', '-q', 'origin', 'main');
    expect(bob.snapshot()).toBe(alice.snapshot());
  });

  it('writes canonical lines for records a side wrote with its keys in another order', async () => {
    const { alice, bob } = await start();
    handEdit(bob, (lines) => {
      const at = itemLines(lines)[1]!;
      const comma = lines[at]!.endsWith(',') ? ',' : '';
      const record = JSON.parse(lines[at]!.trim().replace(/,$/, '')) as Record<string, unknown>;
      record.title = 'Two (by hand)';
      const reversed = Object.fromEntries(Object.entries(record).reverse());
      return lines.map((l, i) => (i === at ? `    ${JSON.stringify(reversed)}${comma}` : l));
    });
    await alice.pm('item', 'edit', 'WEB-4', '--priority', 'high');
    commitAll(alice, 'high four');
    alice.git('pull', '-q', '--no-rebase', 'origin', 'main');
    await expectCanonical(alice);
    expect((await alice.json<Item>('item', 'show', 'WEB-2')).title).toBe('Two (by hand)');
  });

  it('keeps the old key as an alias on the clone that knew a renumbered item by it', async () => {
    const { alice, bob } = await start();
    await alice.pm('item', 'add', '--type', 'task', 'Five (alice)');
    commitAll(alice, 'alice five');
    alice.git('push', '-q', 'origin', 'main');
    await new Promise((r) => setTimeout(r, 5));
    await bob.pm('item', 'add', '--type', 'task', 'Five (bob)');
    commitAll(bob, 'bob five');
    bob.git('pull', '-q', '--no-rebase', 'origin', 'main');
    const renumbered = await bob.json<Item>('item', 'show', 'WEB-6');
    expect(renumbered).toMatchObject({ title: 'Five (bob)', aliases: ['WEB-5'] });
    expect((await bob.json<Item>('item', 'show', 'WEB-5')).title).toBe('Five (alice)');
    bob.git('push', '-q', 'origin', 'main');
    alice.git('pull', '-q', 'origin', 'main');
    expect((await alice.json<Item>('item', 'show', 'WEB-6')).aliases).toEqual([]);
  });
});
