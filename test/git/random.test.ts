import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/generate.js';
import type { WorkItem } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { fieldClock } from '../../src/sync/index.js';
import { createTeam, setUp, type Clone } from '../helpers/git.js';

const SEED = Number(process.env.PM_RANDOM_SEED ?? 20261121);
const OPERATIONS = Number(process.env.PM_RANDOM_OPS ?? 220);
const FIELDS = ['title', 'status', 'priority', 'story_points', 'deleted_at'] as const;
type Field = (typeof FIELDS)[number];
const STATUSES = ['backlog', 'todo', 'in_progress', 'review', 'done'];
const PRIORITIES = ['low', 'medium', 'high', 'critical'];

/** One edit someone made: what the field held before (as they saw it) and after. */
interface Edit {
  clone: string;
  id: string;
  field: Field;
  value: unknown;
  clock: string;
  before: { value: unknown; clock: string };
}

async function readItems(clone: Clone): Promise<Map<string, WorkItem>> {
  const store = await openStore(join(clone.dir, '.pm', 'data.db'), { migrate: false });
  try {
    return new Map((await store.list('work_items', { includeDeleted: true })).map((i) => [i.id, i]));
  } finally {
    await store.close();
  }
}

/** Commit whatever is there, pull (merging or rebasing), push; a rejected push means pull again. */
const log: string[] = [];
function syncWithRemote(clone: Clone, rebase: boolean): void {
  clone.git('add', '-A');
  if (clone.git('status', '--porcelain') !== '') clone.git('commit', '-q', '-m', `${clone.name} works`);
  if (clone.git('ls-remote', '--heads', 'origin', 'main') !== '') {
    const out = clone.gitAll('pull', rebase ? '--rebase' : '--no-rebase', 'origin', 'main');
    log.push(`${clone.name} pull ${rebase ? 'rebase' : 'merge'}: ${out.replace(/\n/g, ' | ')}`);
  }
  clone.git('push', '-q', 'origin', 'main');
}

describe('three clones making random changes through git', () => {
  it('end identical, and lose no edit that is not recorded as a conflict', async () => {
    const random = rng(SEED);
    const team = createTeam();
    const first = team.clone('c0');
    await setUp(first);
    await first.pm('project', 'add', 'RND', 'Random');
    for (let i = 0; i < 4; i++) await first.pm('item', 'add', '--type', 'task', `Seed ${i}`);
    syncWithRemote(first, false);
    const clones = [first, team.clone('c1'), team.clone('c2')];
    for (const clone of clones.slice(1)) await setUp(clone);

    const edits: Edit[] = [];
    let counter = 0;
    for (let step = 0; step < OPERATIONS; step++) {
      const clone = clones[random.int(clones.length)]!;
      const roll = random.next();
      if (roll < 0.22) {
        syncWithRemote(clone, random.next() < 0.5);
        continue;
      }
      if (roll < 0.3) {
        await clone.pm('item', 'add', '--type', 'task', `New ${counter++} by ${clone.name}`);
        continue;
      }
      const items = [...(await readItems(clone)).values()].filter((i) => i.deleted_at === null);
      const item = items[random.int(items.length)];
      if (!item) continue;
      const field: Field = random.next() < 0.06 ? 'deleted_at' : FIELDS[random.int(4)]!;
      const value =
        field === 'title'
          ? `t${counter++}-${clone.name}`
          : field === 'status'
            ? STATUSES[random.int(STATUSES.length)]
            : field === 'priority'
              ? PRIORITIES[random.int(PRIORITIES.length)]
              : field === 'story_points'
                ? random.int(13)
                : 'deleted';
      const before = { value: item[field], clock: fieldClock(item, field) };
      if (field === 'deleted_at') await clone.pm('item', 'rm', item.id);
      else await clone.pm('item', 'edit', item.id, `--${field === 'story_points' ? 'points' : field}`, String(value));
      const after = (await readItems(clone)).get(item.id)!;
      log.push(`${clone.name} ${field}=${String(after[field])} on ${item.id.slice(-6)} at ${fieldClock(after, field)}`);
      if (after[field] === before.value) continue; // an edit to the value it already had
      edits.push({ clone: clone.name, id: item.id, field, value: after[field], clock: fieldClock(after, field), before });
    }

    // Everyone exchanges until every clone has everything.
    for (let round = 0; round < 4; round++) for (const clone of clones) syncWithRemote(clone, round % 2 === 1);

    const snapshots = clones.map((c) => c.snapshot());
    expect(snapshots[1]).toBe(snapshots[0]);
    expect(snapshots[2]).toBe(snapshots[0]);
    const lists = await Promise.all(clones.map((c) => c.json('item', 'list', '--all', '--deleted', '--limit', '10000')));
    expect(lists[1]).toEqual(lists[0]);
    expect(lists[2]).toEqual(lists[0]);
    for (const clone of clones) expect(clone.git('status', '--porcelain')).toBe('');

    const final = await readItems(clones[0]!);
    const conflicts = await clones[0]!.json<{ record_id: string; field: string; ours_value: unknown; theirs_value: unknown }[]>(
      'conflicts',
      '--all',
    );
    const lost = edits.filter((e) => {
      const now = final.get(e.id)!;
      if (now[e.field] === e.value || (e.field === 'deleted_at' && now.deleted_at !== null)) return false; // what it set is what there is
      // Overwritten by someone who had seen it (or the same value written again later, which merges into one).
      if (edits.some((f) => f.id === e.id && f.field === e.field && f.before.value === e.value && f.before.clock >= e.clock))
        return false;
      return !conflicts.some(
        (c) => c.record_id === e.id && c.field === e.field && (c.ours_value === e.value || c.theirs_value === e.value),
      );
    });
    if (process.env.PM_RANDOM_DEBUG) {
      console.log(log.join('\n'));
      for (const e of lost) {
        console.log('LOST', JSON.stringify(e));
        console.log('FINAL', JSON.stringify({ v: final.get(e.id)![e.field], c: fieldClock(final.get(e.id)!, e.field) }));
        for (const f of edits.filter((x) => x.id === e.id && x.field === e.field)) console.log('EDIT', JSON.stringify(f));
        for (const c of conflicts.filter((x) => x.record_id === e.id)) console.log('CONFLICT', JSON.stringify(c));
      }
    }
    expect(edits.length).toBeGreaterThan(100);
    expect(lost, `seed ${SEED}`).toEqual([]);
  }, 300_000);
});
