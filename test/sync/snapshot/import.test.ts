import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PmError } from '../../../src/domain/index.js';
import type { Store } from '../../../src/store/index.js';
import { exportSnapshot, importSnapshot, importSnapshotFile, type SnapshotPaths } from '../../../src/sync/index.js';
import { LocalTracker } from '../../../src/tracker/index.js';
import { snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { DIALECTS, freshStore } from '../../helpers/stores.js';
import { tempDir } from '../../helpers/temp.js';
import { manualClock, seedLanes, type ManualClock } from '../../helpers/tracker.js';

interface Replica {
  store: Store;
  tracker: LocalTracker;
  clock: ManualClock;
}

async function replica(dialect: (typeof DIALECTS)[number], actor: string, clock = manualClock()): Promise<Replica> {
  const store = await freshStore(dialect);
  await seedLanes(store);
  return { store, clock, tracker: new LocalTracker({ store, actor, clock, doneStatuses: ['done'] }) };
}

/** Copies everything from one replica to another the way a teammate's file would. */
async function send(from: Replica, to: Replica, options: Parameters<typeof importSnapshot>[2] = {}) {
  return importSnapshot(to.store, writeTemp(await snapshotText(from.store)), options);
}

/** Where a repository keeps its tracked snapshot and merge bases, in a fresh folder. */
function trackedPaths(): SnapshotPaths {
  const dir = tempDir();
  return { snapshot: join(dir, 'data.json'), bases: join(dir, 'bases') };
}

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PmError)) throw new Error(`expected a PmError, got ${String(error)}`);
  return error.code;
}

describe.each(DIALECTS)('importing a snapshot on %s', (dialect) => {
  it('merges: creates what is new, takes newer edits, keeps newer local edits and what the file lacks', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    await a.tracker.addItem({ item_type: 'task', title: 'Two' });
    const b = await replica(dialect, 'bob@x', manualClock(Date.parse('2026-11-21T11:00:00.000Z')));
    await send(a, b);
    a.clock.advance(60_000);
    await a.tracker.editItem('WEB-1', { title: 'One (alice, early)' });
    await a.tracker.addItem({ item_type: 'task', title: 'Three' });
    await b.tracker.editItem('WEB-1', { title: 'One (bob, later)' });
    await b.tracker.editItem('WEB-2', { status: 'done' });
    await b.tracker.addComment({ item: 'WEB-2', content: 'only bob has this' });
    const result = await send(a, b);
    expect(result.counts.work_items).toMatchObject({ created: 1, unchanged: 2, conflicts: 1 });
    const items = (await b.tracker.listItems({ all: true })).items;
    expect(items.map((i) => [i.key, i.title, i.status])).toEqual([
      ['WEB-1', 'One (bob, later)', 'backlog'],
      ['WEB-2', 'Two', 'done'],
      ['WEB-3', 'Three', 'backlog'],
    ]);
    expect(await b.tracker.listComments('WEB-2')).toHaveLength(1);
    const conflicts = await b.tracker.listConflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      field: 'title',
      ours_value: 'One (bob, later)',
      theirs_value: 'One (alice, early)',
      winner: 'ours',
    });
  });

  it('carries deletions as tombstones, and never deletes for absence', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    await a.tracker.addItem({ item_type: 'task', title: 'Two' });
    const b = await replica(dialect, 'bob@x');
    await send(a, b);
    a.clock.advance(60_000);
    await a.tracker.removeItem('WEB-1');
    await send(a, b);
    expect((await b.tracker.listItems({ all: true })).items.map((i) => i.key)).toEqual(['WEB-2']);
    const empty = writeTemp('{\n  "schema_version": 1,\n  "work_items": []\n}\n');
    const result = await importSnapshot(b.store, empty);
    expect(result.counts.work_items.created + result.counts.work_items.updated).toBe(0);
    expect((await b.tracker.listItems({ all: true })).items.map((i) => i.key)).toEqual(['WEB-2']);
  });

  it('keeps display keys unique when both sides minted the same number offline', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    const b = await replica(dialect, 'bob@x');
    await send(a, b);
    await a.tracker.addItem({ item_type: 'task', title: 'Alice made this first' });
    b.clock.advance(60_000);
    await b.tracker.addItem({ item_type: 'task', title: 'Bob made this later' });
    const result = await send(a, b);
    expect(result.renumbered).toEqual([expect.objectContaining({ key_before: 'WEB-1', key_after: 'WEB-2' })]);
    expect((await b.tracker.getItem('WEB-1')).title).toBe('Alice made this first');
    const bobs = await b.tracker.itemDetails('WEB-2');
    expect(bobs.item.title).toBe('Bob made this later');
    expect(bobs.aliases).toEqual(['WEB-1']);
    await send(b, a);
    const keys = async (r: Replica) => (await r.tracker.listItems({ all: true })).items.map((i) => [i.key, i.title]);
    expect(await keys(a)).toEqual(await keys(b));
    expect(await snapshotText(a.store)).toBe(await snapshotText(b.store));
    const next = await a.tracker.addItem({ item_type: 'task', title: 'after the merge' });
    expect(next.key).toBe('WEB-3');
  });

  it('cuts a blocks cycle that the two sides made together, and records it', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    await a.tracker.addItem({ item_type: 'task', title: 'Two' });
    const b = await replica(dialect, 'bob@x');
    await send(a, b);
    await a.tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    b.clock.advance(60_000);
    await b.tracker.addDependency({ blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-1' });
    await send(a, b);
    const deps = await b.tracker.listDependencies();
    expect(deps.map((d) => `${d.blocking_key}>${d.blocked_key}`)).toEqual(['WEB-1>WEB-2']);
    const conflicts = await b.tracker.listConflicts();
    expect(conflicts.some((c) => c.entity_type === 'dependencies' && c.reason.includes('cycle'))).toBe(true);
    await send(b, a);
    expect(await snapshotText(a.store)).toBe(await snapshotText(b.store));
  });

  it('cuts a blocks cycle that a dependency the file brings back to life closes', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    await a.tracker.addItem({ item_type: 'task', title: 'Two' });
    const dep = await a.tracker.addDependency({ blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    await a.tracker.removeDependency(dep.id);
    const b = await replica(dialect, 'bob@x');
    await send(a, b);
    b.clock.advance(60_000);
    await b.tracker.addDependency({ blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-1' });
    const revivedAt = '2026-11-22T09:00:00.000Z';
    const revived = (await snapshotText(a.store))
      .split('\n')
      .map((line) =>
        line.includes(`"id":"${dep.id}"`)
          ? line
              .replace(/"deleted_at":"[^"]+"/, '"deleted_at":null')
              .replace(/"updated_at":"[^"]+"/, `"updated_at":"${revivedAt}"`)
              .replace(/("field_updated_at":\{.*"deleted_at":)"[^"]+"/, `$1"${revivedAt}"`)
          : line,
      )
      .join('\n');
    const result = await importSnapshot(b.store, writeTemp(revived));
    expect(result.repairs).toBe(1);
    expect((await b.tracker.listDependencies()).map((d) => `${d.blocking_key}>${d.blocked_key}`)).toHaveLength(1);
    expect((await b.tracker.listConflicts()).some((c) => c.reason.includes('cycle'))).toBe(true);
  });

  it('replaces only when nothing unexported would be lost, unless forced', async () => {
    const paths = trackedPaths();
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    await exportSnapshot(a.store, paths);
    const file = writeTemp(readFileSync(paths.snapshot));
    await a.tracker.addItem({ item_type: 'task', title: 'Unexported' });
    expect(await code(importSnapshot(a.store, file, { mode: 'replace' }))).toBe('replace_refused');
    expect((await a.tracker.listItems({ all: true })).total).toBe(2);
    const result = await importSnapshot(a.store, file, { mode: 'replace', force: true });
    expect(result.counts.work_items).toMatchObject({ created: 1, deleted: 2 });
    expect(await snapshotText(a.store)).toBe(readFileSync(file, 'utf8'));
    await exportSnapshot(a.store, paths);
    await importSnapshot(a.store, file, { mode: 'replace' });
  });

  it('works everything out in a dry run and writes nothing', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    const b = await replica(dialect, 'bob@x');
    const before = await snapshotText(b.store);
    const result = await send(a, b, { dryRun: true });
    expect(result.dry_run).toBe(true);
    expect(result.counts.work_items.created).toBe(1);
    expect(await snapshotText(b.store)).toBe(before);
  });

  it('classifies against the base: a change on one side since the last exchange is no conflict', async () => {
    const paths = trackedPaths();
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'One' });
    await exportSnapshot(a.store, paths);
    const b = await replica(dialect, 'bob@x', manualClock(Date.parse('2026-11-21T12:00:00.000Z')));
    await importSnapshotFile(b.store, paths);
    await b.tracker.editItem('WEB-1', { title: 'bob edits after alice' });
    await exportSnapshot(b.store, paths);
    const result = await importSnapshotFile(a.store, paths);
    expect(result.counts.work_items).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await a.tracker.getItem('WEB-1')).title).toBe('bob edits after alice');
  });

  it('leaves a local edit alone, unparsed, where the file still has the base line of the record', async () => {
    const paths = trackedPaths();
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    for (const title of ['One', 'Two', 'Three']) await a.tracker.addItem({ item_type: 'task', title });
    await exportSnapshot(a.store, paths);
    const b = await replica(dialect, 'bob@x', manualClock(Date.parse('2026-11-21T12:00:00.000Z')));
    await importSnapshotFile(b.store, paths);
    await b.tracker.editItem('WEB-1', { title: 'One, by bob' });
    await exportSnapshot(b.store, paths);
    a.clock.advance(60_000 * 60 * 24);
    await a.tracker.editItem('WEB-2', { title: 'Two, by alice, later than anything of bob' });
    const result = await importSnapshotFile(a.store, paths);
    expect(result.counts.work_items).toMatchObject({ updated: 1, unchanged: 2, conflicts: 0 });
    expect((await a.tracker.listItems({ all: true })).items.map((i) => i.title)).toEqual([
      'One, by bob',
      'Two, by alice, later than anything of bob',
      'Three',
    ]);
  });

  it('names a snapshot file that is not there, and keeps no base', async () => {
    const paths = trackedPaths();
    const a = await replica(dialect, 'alice@x');
    await expect(importSnapshotFile(a.store, paths, undefined, { label: '.pm/data.json' })).rejects.toThrow(
      'snapshot file ".pm/data.json" not found',
    );
    expect(existsSync(paths.bases)).toBe(false);
  });

  it('keeps the base it had when an import fails, and leaves no copy behind', async () => {
    const paths = trackedPaths();
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await exportSnapshot(a.store, paths);
    const base = readFileSync(join(paths.bases, 'data.json'));
    writeFileSync(paths.snapshot, base.toString().replace('"title":"Web"', '"title":7'));
    expect(await code(importSnapshotFile(a.store, paths))).toBe('snapshot_invalid');
    expect(readdirSync(paths.bases)).toEqual(['data.json']);
    expect(readFileSync(join(paths.bases, 'data.json')).equals(base)).toBe(true);
  });

  it('looks again at a record an import with skipInvalid left out, though the file is now the base', async () => {
    const paths = trackedPaths();
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'Good' });
    await a.tracker.addItem({ item_type: 'task', title: 'Bad' });
    writeFileSync(paths.snapshot, (await snapshotText(a.store)).replace('"title":"Bad"', '"title":42'));
    const b = await replica(dialect, 'bob@x');
    const first = await importSnapshotFile(b.store, paths, undefined, { skipInvalid: true });
    expect(first.counts.work_items).toMatchObject({ created: 1, rejected: 1 });
    const again = await importSnapshotFile(b.store, paths, undefined, { skipInvalid: true });
    expect(again.counts.work_items).toMatchObject({ unchanged: 1, rejected: 1 });
    expect(await code(importSnapshotFile(b.store, paths))).toBe('snapshot_invalid');
  });

  it('imports the valid records with skipInvalid and reports the others, with what needs them', async () => {
    const a = await replica(dialect, 'alice@x');
    await a.tracker.addProject({ key: 'WEB', title: 'Web' });
    await a.tracker.addItem({ item_type: 'task', title: 'Good' });
    await a.tracker.addItem({ item_type: 'task', title: 'Bad' });
    await a.tracker.addComment({ item: 'WEB-2', content: 'on the bad one' });
    const text = (await snapshotText(a.store)).replace('"title":"Bad"', '"title":42');
    const b = await replica(dialect, 'bob@x');
    const result = await importSnapshot(b.store, writeTemp(text), { skipInvalid: true });
    expect(result.counts.work_items).toMatchObject({ created: 1, rejected: 1 });
    expect(result.counts.comments).toMatchObject({ created: 0, rejected: 1 });
    expect(result.rejected.map((r) => [r.entity_type, r.issues[0]!.field ?? null])).toEqual([
      ['work_items', 'title'],
      ['comments', null],
    ]);
    expect((await b.tracker.listItems({ all: true })).items.map((i) => i.title)).toEqual(['Good']);
  });
});
