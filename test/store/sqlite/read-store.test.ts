import { describe, expect, it, onTestFinished } from 'vitest';
import type { WorkItem } from '../../../src/domain/index.js';
import { openStore, type ListQuery, type Store } from '../../../src/store/index.js';
import { item, project } from '../../helpers/records.js';
import { edgeCaseData, loadRecords } from '../../helpers/snapshot.js';
import { storeTarget } from '../../helpers/stores.js';

/** A SQLite file with the edge-case data set and items that tell orders and filters apart. */
async function filledDatabase(): Promise<string> {
  const target = storeTarget('sqlite');
  const store = await openStore(target);
  const web = project('WEB');
  const priorities = ['low', 'critical', 'medium', 'high'] as const;
  const items = Array.from({ length: 40 }, (_, i) =>
    item(web.id, i + 1, {
      title: i % 3 === 0 ? `Pay by card ${i}` : `Other_${i}%`,
      status: i % 4 === 0 ? 'done' : 'todo',
      priority: priorities[i % 4]!,
      story_points: i % 5 === 0 ? null : i,
      ...(i % 7 === 0 ? { deleted_at: '2026-11-22T10:00:00.000Z' } : {}),
    }),
  );
  await loadRecords(store, edgeCaseData());
  await loadRecords(store, { projects: [web], work_items: items });
  // WEB-41 and WEB-42 are old keys of WEB-2 and WEB-3; WEB-42 of WEB-4 too.
  const alias = (n: number, of: number, at: string) => ({
    project_id: web.id,
    item_number: n,
    work_item_id: items[of - 1]!.id,
    created_at: at,
  });
  await store.write(async (tx) => {
    await tx.setMeta('exported_seq', '7');
    await tx.addAliases([
      alias(41, 2, '2026-11-22T10:00:02.000Z'),
      alias(42, 3, '2026-11-22T10:00:01.000Z'),
      alias(42, 4, '2026-11-22T10:00:03.000Z'),
      alias(43, 2, '2026-11-22T10:00:00.000Z'),
    ]);
  });
  await store.close();
  return target;
}

/** Both stores on one file: the one commands open, and the Kysely store. */
async function bothOn(target: string): Promise<{ read: Store; kysely: Store }> {
  const read = await openStore(target, { readFirst: true });
  const kysely = await openStore(target);
  onTestFinished(async () => {
    await read.close();
    await kysely.close();
  });
  return { read, kysely };
}

const QUERIES: ListQuery<WorkItem>[] = [
  {},
  { includeDeleted: true },
  { where: { status: ['todo'] }, orderBy: [['priority', 'asc', { ranks: ['critical', 'high', 'medium', 'low'] }]] },
  { where: { status: { not: ['done'] }, story_points: null } },
  { where: { status: [] } },
  { search: { fields: ['title', 'description'], text: 'PAY BY' } },
  { search: { fields: ['title'], text: '_1%' } },
  {
    orderBy: [
      ['story_points', 'desc', { nullsLast: true }],
      ['item_number', 'asc'],
    ],
    limit: 7,
    offset: 3,
  },
  { orderBy: [['id', 'asc']], afterId: '0', limit: 5 },
];

describe('the SQLite store commands open (reads without Kysely)', () => {
  it('lists, counts and finds the same rows as the Kysely store, inside and outside read transactions', async () => {
    const { read, kysely } = await bothOn(await filledDatabase());
    let empty = 0;
    for (const query of QUERIES) {
      const rows = await kysely.list('work_items', query);
      if (rows.length === 0) empty++;
      expect(await read.list('work_items', query)).toEqual(rows);
      expect(await read.read((tx) => tx.list('work_items', query))).toEqual(rows);
      expect(await read.read((tx) => tx.listItemJson(query))).toEqual(await kysely.listItemJson(query));
      expect(await read.count('work_items', query)).toBe(await kysely.count('work_items', query));
      expect(await read.read((tx) => tx.count('work_items', query))).toBe(await kysely.count('work_items', query));
    }
    expect(empty).toBe(1); // only `status: []`
    for (const type of ['projects', 'comments', 'dependencies'] as const)
      expect(await read.list(type, { includeDeleted: true })).toEqual(await kysely.list(type, { includeDeleted: true }));
    for (const key of ['WEB', 'EDGE', 'NONE']) expect(await read.projectByKey(key)).toEqual(await kysely.projectByKey(key));
    for (const key of ['exported_seq', 'local_seq', 'none']) expect(await read.getMeta(key)).toEqual(await kysely.getMeta(key));
    expect([...(await read.read((tx) => Promise.resolve([...(tx.scanJson('work_items') as Iterable<string>)])))]).toEqual([
      ...(kysely.scanJson('work_items') as Iterable<string>),
    ]);
  });

  it('finds records, items by number, key aliases and ready items as the Kysely store does', async () => {
    const { read, kysely } = await bothOn(await filledDatabase());
    const web = (await kysely.projectByKey('WEB'))!;
    const same = async <T>(ask: (store: Store) => Promise<T>): Promise<T> => {
      const expected = await ask(kysely);
      expect(await ask(read)).toEqual(expected);
      expect(await read.read((tx) => ask(tx))).toEqual(expected);
      return expected;
    };
    const items = await kysely.list('work_items', { includeDeleted: true });
    const deps = await kysely.list('dependencies', { includeDeleted: true });
    for (const record of [items[0]!, items.at(-1)!, ...items.filter((i) => i.deleted_at !== null).slice(0, 1)])
      expect((await same((s) => s.get('work_items', record.id)))?.id).toBe(record.id);
    expect(await same((s) => s.get('dependencies', deps[0]!.id))).toBeDefined();
    expect(await same((s) => s.get('work_items', 'no-such-id'))).toBeUndefined();
    const many = await same((s) => s.getMany('work_items', [...items.map((i) => i.id), 'no-such-id']));
    expect(many.size).toBe(items.length);
    expect((await same((s) => s.getMany('work_items', []))).size).toBe(0);
    for (const n of [1, 7, 40, 99]) await same((s) => s.itemByNumber(web.id, n));
    expect((await same((s) => s.aliasesOf(web.id, 42))).length).toBe(2);
    expect(await same((s) => s.aliasesOf(web.id, 44))).toEqual([]);
    expect(
      (await same((s) => s.listAliases(items.find((i) => i.item_number === 2 && i.project_id === web.id)!.id))).map(
        (a) => a.item_number,
      ),
    ).toEqual([43, 41]);
    const edge = items.find((i) => i.project_id !== web.id)!.project_id;
    const readies = [
      { doneStatuses: ['done'], limit: 100 },
      { doneStatuses: [], limit: 5 },
      { projectId: web.id, doneStatuses: ['done'], limit: 10 },
      { projectId: edge, doneStatuses: ['done', 'cancelled'], limit: 100 },
      { projectId: edge, assigneeId: null, sprintId: null, doneStatuses: ['done'], limit: 100 },
      { assigneeId: items.find((i) => i.assignee_id !== null)?.assignee_id ?? 'nobody', doneStatuses: ['done'], limit: 100 },
    ];
    let blockedAway = 0;
    for (const query of readies) {
      const ready = await same((s) => s.readyItems(query));
      const open = await kysely.list('work_items', {
        where: { status: { not: query.doneStatuses }, ...(query.projectId ? { project_id: query.projectId } : {}) },
      });
      if (ready.length < Math.min(open.length, query.limit)) blockedAway++;
    }
    expect(blockedAway).toBeGreaterThan(0); // some query left out an item that a dependency blocks
  });

  it('runs what it does not read itself through Kysely, in its read transaction too', async () => {
    const { read } = await bothOn(await filledDatabase());
    const web = (await read.projectByKey('WEB'))!;
    expect(await read.read(async (tx) => tx.maxPosition(web.id, 'todo'))).toEqual(expect.any(Number));
    const first = (await read.list('work_items', { where: { project_id: web.id, item_number: [2] } }))[0]!;
    expect(await read.read(async (tx) => tx.idsEndingWith('work_items', first.id.slice(-8), 2))).toEqual([first.id]);
    await read.write((tx) => tx.setMeta('note', 'written'));
    expect(await read.getMeta('note')).toBe('written');
    expect((await read.sync.listRuns({ limit: 1 })).runs).toEqual([]);
  });

  it('keeps a write out of a read transaction in progress, and a read out of a write in progress', async () => {
    const { read } = await bothOn(await filledDatabase());
    const web = (await read.projectByKey('WEB'))!;
    const before = await read.count('work_items');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const reading = read.read(async (tx) => {
      const first = await tx.count('work_items');
      await held;
      return [first, await tx.count('work_items')];
    });
    const writing = read.write((tx) => tx.insert('work_items', item(web.id, 100)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    expect(await reading).toEqual([before, before]);
    await writing;
    expect(await read.count('work_items')).toBe(before + 1);

    let finish!: () => void;
    const open = new Promise<void>((resolve) => (finish = resolve));
    const write = read.write(async (tx) => {
      await tx.insert('work_items', item(web.id, 101));
      await open;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const counted = read.read((tx) => tx.count('work_items'));
    const listed = read.list('work_items', { where: { item_number: [101] } });
    finish();
    await write;
    expect(await counted).toBe(before + 2);
    expect((await listed).map((i) => i.item_number)).toEqual([101]);
  });
});
