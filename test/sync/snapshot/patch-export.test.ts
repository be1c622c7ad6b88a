import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDataset, rng, type Dataset } from '../../../bench/generate.js';
import type { AnyRecord } from '../../../src/domain/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import {
  META_SNAPSHOT_HASH,
  exportSnapshot,
  importSnapshotFile,
  markUnexported,
  snapshotChanged,
  type SnapshotPaths,
} from '../../../src/sync/index.js';
import { loadRecords, snapshotText } from '../../helpers/snapshot.js';
import { tempDir } from '../../helpers/temp.js';

const SIZE = { projects: 2, sprints: 6, items: 400, comments: 300, timeEntries: 120, dependencies: 80 };

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function workspace(): Promise<{ store: Store; paths: SnapshotPaths }> {
  const dir = tempDir();
  store = await openStore(join(dir, 'data.db'));
  return { store, paths: { snapshot: join(dir, 'data.json'), bases: join(dir, 'bases') } };
}

/** The tracked file is what a full export of the database writes, byte for byte. */
async function expectWholeExport(s: Store, paths: SnapshotPaths): Promise<void> {
  expect(readFileSync(paths.snapshot, 'utf8')).toBe(await snapshotText(s));
}

/** An export that patched the file records no hash for it (one written in full does). */
async function patched(s: Store): Promise<boolean> {
  return (await s.getMeta(META_SNAPSHOT_HASH)) === '';
}

function edited<R extends AnyRecord>(record: R, round: number): R {
  const at = new Date(Date.parse('2027-01-01T00:00:00.000Z') + round * 1000).toISOString();
  const title = 'title' in record ? { title: `${String(record.title)} ✎ ${round} "quoted"` } : {};
  return { ...record, ...title, version: record.version + 1, updated_at: at };
}

describe('an export of the tracked snapshot after local writes', () => {
  it('patches data.json to the bytes a full export writes, over rounds of inserts and edits in every section', async () => {
    const { store: s, paths } = await workspace();
    const data = generateDataset(SIZE, 7);
    const { next: random } = rng(11);
    const pick = <T>(list: T[], n: number): T[] => {
      const out: T[] = [];
      for (let i = 0; i < n && list.length > 0; i++) out.push(list.splice(Math.floor(random() * list.length), 1)[0]!);
      return out;
    };
    // Sections start empty (dependencies, comments, time entries) or partly filled (items).
    const waiting = {
      // No parents: an item may come before the one it would hang under.
      work_items: data.work_items.map((w) => ({ ...w, parent_id: null })),
      comments: [...data.comments],
      time_entries: [...data.time_entries],
      dependencies: [...data.dependencies],
    };
    const loaded: Dataset['work_items'] = pick(waiting.work_items, 200);
    await loadRecords(s, { projects: data.projects, sprints: data.sprints, swim_lanes: data.swim_lanes, work_items: loaded });
    await exportSnapshot(s, paths);
    await expectWholeExport(s, paths);
    const ready = (id: string) => loaded.some((w) => w.id === id);

    for (let round = 1; round <= 12; round++) {
      loaded.push(...pick(waiting.work_items, 1 + Math.floor(random() * 15)));
      const comments = waiting.comments.filter((c) => ready(c.work_item_id));
      const entries = waiting.time_entries.filter((t) => ready(t.work_item_id));
      const deps = waiting.dependencies.filter((d) => ready(d.blocking_item_id) && ready(d.blocked_item_id));
      const batch: Partial<Dataset> = {
        work_items: loaded,
        comments: pick(comments, Math.floor(random() * 6)),
        time_entries: pick(entries, Math.floor(random() * 4)),
        dependencies: pick(deps, Math.floor(random() * 3)),
      };
      for (const type of ['comments', 'time_entries', 'dependencies'] as const) {
        waiting[type] = waiting[type].filter((r) => !(batch[type] as AnyRecord[]).some((b) => b.id === r.id)) as never;
      }
      await loadRecords(s, batch);
      await s.write(async (tx) => {
        const items = pick([...loaded], 1 + Math.floor(random() * 5));
        // The first and last records of a section too: the separators around them change.
        const sorted = [...loaded].sort((a, b) => (a.id < b.id ? -1 : 1));
        items.push(...(round % 3 === 0 ? [sorted[0]!, sorted.at(-1)!] : []));
        const current = await tx.getMany('work_items', [...new Set(items.map((w) => w.id))]);
        await tx.upsertMany(
          'work_items',
          [...current.values()].map((w) => edited(w, round)),
        );
        const sprint = (await tx.list('sprints'))[round % SIZE.sprints]!;
        await tx.upsertMany('sprints', [edited(sprint, round)]);
      });
      await exportSnapshot(s, paths);
      expect(await patched(s)).toBe(true);
      await expectWholeExport(s, paths);
    }
  });

  it('writes data.json in full when rows went without a stamp (removed by a take-in), and patches again after', async () => {
    const { store: s, paths } = await workspace();
    await loadRecords(s, generateDataset(SIZE, 3));
    await exportSnapshot(s, paths);
    const [first, second] = await s.list('comments', { includeDeleted: true, limit: 2 });
    await s.write((tx) => tx.deleteRows('comments', [first!.id]));
    await exportSnapshot(s, paths);
    expect(await patched(s)).toBe(false);
    await expectWholeExport(s, paths);
    await s.write((tx) => tx.upsertMany('comments', [edited(second!, 1)]));
    await exportSnapshot(s, paths);
    expect(await patched(s)).toBe(true);
    await expectWholeExport(s, paths);
  });

  it('patches a file marked unexported (auto_export off) and leaves the mark out', async () => {
    const { store: s, paths } = await workspace();
    await loadRecords(s, generateDataset(SIZE, 5));
    await exportSnapshot(s, paths);
    const [item] = await s.list('work_items', { limit: 1 });
    await s.write((tx) => tx.upsertMany('work_items', [edited(item!, 1)]));
    expect(await markUnexported(s, paths)).toBe(true);
    expect(readFileSync(paths.snapshot, 'utf8').endsWith('}\n\n')).toBe(true);
    await exportSnapshot(s, paths);
    expect(await patched(s)).toBe(true);
    await expectWholeExport(s, paths);
  });

  it('writes data.json in full when it is not the file the last export wrote', async () => {
    const { store: s, paths } = await workspace();
    await loadRecords(s, generateDataset(SIZE, 9));
    await exportSnapshot(s, paths);
    const [item] = await s.list('work_items', { limit: 1 });
    await s.write((tx) => tx.upsertMany('work_items', [edited(item!, 1)]));
    await exportSnapshot(s, paths, paths.snapshot, { force: true });
    expect(await patched(s)).toBe(true);
    // Written anew behind pm's back (same bytes, another file): not patched.
    const bytes = readFileSync(paths.snapshot);
    rmSync(paths.snapshot);
    writeFileSync(paths.snapshot, bytes);
    await s.write((tx) => tx.upsertMany('work_items', [edited(item!, 2)]));
    await exportSnapshot(s, paths);
    expect(await patched(s)).toBe(false);
    await expectWholeExport(s, paths);
  });

  it('writes data.json in full when it is gone (deleted, or a database copied without it)', async () => {
    const { store: s, paths } = await workspace();
    await loadRecords(s, generateDataset(SIZE, 9));
    await exportSnapshot(s, paths);
    rmSync(paths.snapshot);
    const [item] = await s.list('work_items', { limit: 1 });
    await s.write((tx) => tx.upsertMany('work_items', [edited(item!, 1)]));
    await exportSnapshot(s, paths);
    expect(await patched(s)).toBe(false);
    await expectWholeExport(s, paths);
  });

  it('keeps the base as the lines it patched in, without writing the base file again, and a take-in merges against them', async () => {
    const { store: s, paths } = await workspace();
    await loadRecords(s, generateDataset(SIZE, 13));
    await exportSnapshot(s, paths);
    const baseFile = join(paths.bases, 'data.json');
    const kept = statSync(baseFile);
    const [first, second] = await s.list('comments', { limit: 2 });
    for (const [round, comment] of [first!, second!].entries()) {
      await s.write((tx) => tx.upsertMany('comments', [edited(comment, round + 1)]));
      await exportSnapshot(s, paths);
      expect(await patched(s)).toBe(true);
    }
    expect(statSync(baseFile)).toMatchObject({ ino: kept.ino, mtimeMs: kept.mtimeMs });
    // Same bytes, touched: the base (its file with the lines in place) tells nothing changed.
    utimesSync(paths.snapshot, new Date(), new Date(Date.now() + 5000));
    expect(await snapshotChanged(s, paths)).toBe(false);
    // The comment edited here and exported is the base's: removed from the file by hand, it goes.
    const text = readFileSync(paths.snapshot, 'utf8');
    const lines = text.split('\n').filter((line) => !line.includes(`"id":"${second!.id}"`));
    expect(lines.length).toBe(text.split('\n').length - 1);
    writeFileSync(paths.snapshot, lines.join('\n'));
    await importSnapshotFile(s, paths);
    expect(await s.get('comments', second!.id)).toBeUndefined();
    expect((await s.get('comments', first!.id))?.version).toBe(first!.version + 1);
  });

  it('writes the base file anew, from the bytes of the export, once the lines kept for it pass 1 MiB', async () => {
    const { store: s, paths } = await workspace();
    await loadRecords(s, generateDataset(SIZE, 17));
    await exportSnapshot(s, paths);
    const baseFile = join(paths.bases, 'data.json');
    const kept = statSync(baseFile).ino;
    const items = await s.list('work_items', { limit: 320 });
    let round = 0;
    for (; round < 8 && statSync(baseFile).ino === kept; round++) {
      const batch = items
        .slice(round * 40, round * 40 + 40)
        .map((w) => ({ ...edited(w, round), title: `${round} ${'x'.repeat(8000)}` }));
      await s.write((tx) => tx.upsertMany('work_items', batch));
      await exportSnapshot(s, paths);
      expect(await patched(s)).toBe(true);
    }
    // 40 lines of 8 kB a round: past 1 MiB at the fourth.
    expect(round).toBe(4);
    expect(readFileSync(baseFile).equals(readFileSync(paths.snapshot))).toBe(true);
    await expectWholeExport(s, paths);
  });
});
