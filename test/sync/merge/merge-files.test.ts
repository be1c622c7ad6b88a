import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import { importSnapshot, mergeSnapshotFiles } from '../../../src/sync/index.js';
import { LocalTracker } from '../../../src/tracker/index.js';
import { snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { freshStore } from '../../helpers/stores.js';
import { manualClock, seedLanes } from '../../helpers/tracker.js';

async function replica(actor: string, start = '2026-11-21T10:00:00.000Z') {
  const store = await freshStore('sqlite');
  await seedLanes(store);
  const clock = manualClock(Date.parse(start));
  return { store, clock, tracker: new LocalTracker({ store, actor, clock, doneStatuses: ['done'] }) };
}

async function copyInto(from: Store, to: Store): Promise<void> {
  await importSnapshot(to, writeTemp(await snapshotText(from)));
}

/** A base both sides start from, then each side's edits, as three files; returns the merge. */
async function merge(edit: (a: LocalTracker, b: LocalTracker) => Promise<void>) {
  const a = await replica('alice@x');
  await a.tracker.addProject({ key: 'WEB', title: 'Web' });
  for (const title of ['One', 'Two', 'Three']) await a.tracker.addItem({ item_type: 'task', title });
  const b = await replica('bob@x', '2026-11-21T10:30:00.000Z');
  await copyInto(a.store, b.store);
  const base = writeTemp(await snapshotText(a.store));
  a.clock.advance(60_000);
  await edit(a.tracker, b.tracker);
  const ours = writeTemp(await snapshotText(a.store));
  const theirs = writeTemp(await snapshotText(b.store));
  const result = await mergeSnapshotFiles(base, ours, theirs, ours);
  const text = readFileSync(ours, 'utf8');
  // The merged file is a valid snapshot in canonical form.
  const check = await freshStore('sqlite');
  await importSnapshot(check, writeTemp(text));
  expect(await snapshotText(check)).toBe(text);
  return { result, text, store: check };
}

describe('merging snapshot files (the git merge driver)', () => {
  it('reads a side pretty-printed, in reverse order and with a record twice, and writes each record once, canonical', async () => {
    const a = await replica('alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const title of ['One', 'Two', 'Three']) await a.tracker.addItem({ item_type: 'task', title });
    const baseText = await snapshotText(a.store);
    a.clock.advance(60_000);
    await a.tracker.editItem('WEB-1', { title: 'One (alice)' });
    const ours = writeTemp(await snapshotText(a.store));
    const data = JSON.parse(baseText) as Record<string, unknown[]>;
    for (const value of Object.values(data)) if (Array.isArray(value)) value.reverse();
    data.work_items!.push({ ...(data.work_items![1] as object), title: 'Zwei' });
    const result = await mergeSnapshotFiles(writeTemp(baseText), ours, writeTemp(JSON.stringify(data, null, 2)), ours);
    const text = readFileSync(ours, 'utf8');
    const ids = [...text.matchAll(/^ {4}\{"id":"([^"]+)"/gm)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(result.records).toBe(ids.length);
    const check = await freshStore('sqlite');
    await importSnapshot(check, writeTemp(text));
    expect(await snapshotText(check)).toBe(text);
    expect((await check.list('work_items')).map((i) => i.title).sort()).toEqual(['One (alice)', 'Three', 'Zwei']);
  });

  it('gives the base back when neither side changed anything', async () => {
    const { result, text } = await merge(async () => {});
    expect(result).toMatchObject({ merged: 0, conflicts: 0, repairs: 0 });
    expect(text).toContain('"title":"Two"');
  });

  it('keeps both edits to different fields and records same-field decisions in the file', async () => {
    const { result, store } = await merge(async (a, b) => {
      await a.editItem('WEB-1', { title: 'One (alice)' });
      await b.editItem('WEB-1', { status: 'review' });
      await a.editItem('WEB-2', { title: 'Two (alice)' });
      await b.editItem('WEB-2', { title: 'Two (bob, later)' });
    });
    expect(result).toMatchObject({ merged: 2, conflicts: 1 });
    const items = await store.list('work_items', { orderBy: [['item_number', 'asc']] });
    expect(items.map((i) => [i.title, i.status])).toEqual([
      ['One (alice)', 'review'],
      ['Two (bob, later)', 'backlog'],
      ['Three', 'backlog'],
    ]);
    expect((await store.list('conflicts')).map((c) => [c.field, c.winner])).toEqual([['title', 'theirs']]);
  });

  it('renumbers items both sides created with the same number, and cuts a shared blocks cycle', async () => {
    const { result, store } = await merge(async (a, b) => {
      await a.addItem({ item_type: 'task', title: 'Four (alice)' });
      await b.addItem({ item_type: 'task', title: 'Four (bob)' });
      await a.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
      await b.addDependency({ blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-1' });
    });
    expect(result.renumbered).toEqual([{ key_before: 'WEB-4', key_after: 'WEB-5' }]);
    expect(result.repairs).toBe(2);
    const items = await store.list('work_items', { orderBy: [['item_number', 'asc']] });
    expect(items.map((i) => [i.item_number, i.title])).toEqual([
      [1, 'One'],
      [2, 'Two'],
      [3, 'Three'],
      [4, 'Four (alice)'],
      [5, 'Four (bob)'],
    ]);
    expect((await store.get('projects', items[0]!.project_id))?.next_work_item_number).toBe(6);
    expect(await store.count('dependencies')).toBe(1);
  });

  it('cuts a parent loop the two sides made together', async () => {
    const { store } = await merge(async (a, b) => {
      await a.editItem('WEB-1', { parent: 'WEB-2' });
      await b.editItem('WEB-2', { parent: 'WEB-1' });
    });
    const items = await store.list('work_items', { orderBy: [['item_number', 'asc']] });
    expect(items.filter((i) => i.parent_id !== null)).toHaveLength(1);
    expect((await store.list('conflicts')).map((c) => c.field)).toEqual(['parent_id']);
  });

  it('fails, rather than guess, when a side is not a snapshot at all', async () => {
    const base = writeTemp('{\n  "schema_version": 1\n}\n');
    const ours = writeTemp('not json');
    await expect(mergeSnapshotFiles(base, ours, base, ours)).rejects.toThrow();
    expect(readFileSync(ours, 'utf8')).toBe('not json');
  });
});
