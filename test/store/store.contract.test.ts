import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { SchemaVersionError, newId, type Project, type SyncLink, type WorkItem } from '../../src/domain/index.js';
import { LATEST_SCHEMA_VERSION, openStore, type ListQuery, type Store } from '../../src/store/index.js';
import { at, item, meta, project } from '../helpers/records.js';
import { DIALECTS, freshStore, storeTarget } from '../helpers/stores.js';
import { runRecord } from '../helpers/runs.js';
import { edgeCaseData, loadRecords } from '../helpers/snapshot.js';

function kysely(store: Store): Kysely<Record<string, Record<string, unknown>>> {
  return (store as unknown as { kysely: Kysely<Record<string, Record<string, unknown>>> }).kysely;
}

/** Project WEB in `store`, with an item numbered 1, 2, … per entry of `items` (its fields beyond `item`'s). */
async function projectWithItems(store: Store, items: readonly Partial<WorkItem>[]): Promise<Project> {
  const p = project('WEB');
  await store.write(async (tx) => {
    await tx.insert('projects', p);
    for (const [i, extra] of items.entries()) await tx.insert('work_items', item(p.id, i + 1, extra));
  });
  return p;
}

/** Back to what version 9 left: no count index. */
async function backToVersion9(store: Store): Promise<void> {
  await kysely(store).schema.dropIndex('work_items_count').execute();
  await store.write((tx) => tx.setMeta('schema_version', '9'));
  if (store.dialect === 'sqlite')
    (store as unknown as { sqlite: { pragma(s: string): unknown } }).sqlite.pragma('user_version = 9');
}

/** Back to what version 8 left: no shared rate limits. */
async function backToVersion8(store: Store): Promise<void> {
  await backToVersion9(store);
  await kysely(store).schema.dropTable('sync_rate_limits').execute();
  await store.write((tx) => tx.setMeta('schema_version', '8'));
  if (store.dialect === 'sqlite')
    (store as unknown as { sqlite: { pragma(s: string): unknown } }).sqlite.pragma('user_version = 8');
}

/** Back to what version 7 left: runs without overwrite columns. */
async function backToVersion7(store: Store): Promise<void> {
  await backToVersion8(store);
  const db = kysely(store);
  for (const column of ['overwrite_mode', 'deletion_count']) await db.schema.alterTable('sync_runs').dropColumn(column).execute();
  await store.write((tx) => tx.setMeta('schema_version', '7'));
  if (store.dialect === 'sqlite')
    (store as unknown as { sqlite: { pragma(s: string): unknown } }).sqlite.pragma('user_version = 7');
}

/** Undoes schema versions 5 to 10 in place, as a version 4 database had it. */
async function backToVersion4(store: Store): Promise<void> {
  await backToVersion7(store);
  const db = kysely(store);
  await db.schema.dropTable('cleared_links').execute(); // version 7
  await db.schema.dropTable('sync_batches').execute(); // version 6
  for (const type of ['sprints', 'work_items', 'comments', 'dependencies', 'time_entries', 'conflicts'])
    await db.schema.dropIndex(`${type}_change_seq`).execute();
  for (const type of ['projects', 'sprints', 'swim_lanes', 'work_items', 'comments', 'dependencies', 'time_entries', 'conflicts'])
    await db.schema.alterTable(type).dropColumn('change_seq').execute();
  await store.write(async (tx) => {
    await tx.setMeta('schema_version', '4');
    await tx.setMeta('change_seq', '0');
  });
  if (store.dialect === 'sqlite')
    (store as unknown as { sqlite: { pragma(s: string): unknown } }).sqlite.pragma('user_version = 4');
}

/** The indexes of work_items, each with its columns in order. */
async function workItemIndexes(store: Store): Promise<Record<string, string[]>> {
  const db = kysely(store);
  const result: Record<string, string[]> = {};
  if (store.dialect === 'sqlite') {
    const names = await sql<{ name: string }>`
      select name from sqlite_master where type = 'index' and tbl_name = 'work_items' and sql is not null`.execute(db);
    for (const { name } of names.rows) {
      const columns = await sql<{ name: string }>`select name from pragma_index_info(${name}) order by seqno`.execute(db);
      result[name] = columns.rows.map((c) => c.name);
    }
  } else {
    const defs = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = 'work_items'`.execute(db);
    for (const { indexname, indexdef } of defs.rows) {
      if (indexname === 'work_items_pkey') continue;
      result[indexname] = /\((.*)\)$/.exec(indexdef)![1]!.split(', ');
    }
  }
  return result;
}

describe.each(DIALECTS)('store contract on %s', (dialect) => {
  it('records the schema version when it creates a database', async () => {
    const store = await freshStore(dialect);
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    await store.close();
  });

  it('refuses a database written by a newer pm, naming the version', async () => {
    const target = storeTarget(dialect);
    const store = await openStore(target);
    await store.write((tx) => tx.setMeta('schema_version', String(LATEST_SCHEMA_VERSION + 1)));
    if (dialect === 'sqlite') {
      (store as unknown as { sqlite: { pragma(s: string): unknown } }).sqlite.pragma(
        `user_version = ${LATEST_SCHEMA_VERSION + 1}`,
      );
    }
    await store.close();
    const error = await openStore(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect((error as Error).message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
  });

  it('upgrades a version 3 database: one index answers work item lists, replacing work_items_number', async () => {
    const target = storeTarget(dialect);
    const old = await openStore(target);
    const p = await projectWithItems(old, [{}, {}, {}]);
    // Back to what version 3 left: its index, no change counters, and its version numbers.
    await backToVersion4(old);
    await kysely(old).schema.dropIndex('work_items_list').execute();
    await kysely(old).schema.createIndex('work_items_number').on('work_items').columns(['project_id', 'item_number']).execute();
    await old.write((tx) => tx.setMeta('schema_version', '3'));
    if (dialect === 'sqlite') (old as unknown as { sqlite: { pragma(s: string): unknown } }).sqlite.pragma('user_version = 3');
    await old.close();

    const store = await openStore(target);
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    const indexes = await workItemIndexes(store);
    expect(indexes.work_items_list).toEqual(['project_id', 'item_number', 'id', 'status', 'deleted_at']);
    expect(indexes.work_items_number).toBeUndefined();
    expect((await store.list('work_items', { where: { project_id: p.id } })).map((i) => i.item_number)).toEqual([1, 2, 3]);
    if (dialect === 'sqlite') {
      // The page needs no sort and the count never reads the table (version 10 gave it an index of its own).
      const plan = async (query: string) =>
        (await sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(kysely(store))).rows.map((r) => r.detail);
      const where = `where deleted_at is null and project_id = 'x' and status not in ('done')`;
      expect(await plan(`select * from work_items ${where} order by project_id, item_number, id limit 50 offset 100`)).toEqual([
        'SEARCH work_items USING INDEX work_items_list (project_id=?)',
      ]);
      expect(await plan(`select count(*) from work_items ${where}`)).toEqual([
        'SEARCH work_items USING COVERING INDEX work_items_count (project_id=? AND deleted_at=?)',
      ]);
    }
    await store.close();
  });

  it('round-trips every field of a record exactly', async () => {
    const store = await freshStore(dialect);
    const p = {
      ...project('WEB'),
      description: 'emoji 🚀 and "quotes"',
      field_updated_at: { title: '2026-11-21T11:00:00.000Z' },
    };
    await store.write((tx) => tx.insert('projects', p));
    expect(await store.get('projects', p.id)).toEqual(p);
    const lane = {
      id: newId(),
      project_id: null,
      name: 'QA',
      status_value: 'qa',
      position: 3,
      is_default: false,
      ...meta,
    };
    await store.write((tx) => tx.insert('swim_lanes', lane));
    expect(await store.get('swim_lanes', lane.id)).toEqual(lane);
    await store.close();
  });

  it("keeps a connection's sync links per type, each field and base as written, and moves them", async () => {
    const store = await freshStore(dialect);
    const link = (type: string, localId: string, remoteId: string, base: Record<string, unknown>): SyncLink => ({
      connection: 'redmine',
      entity_type: type,
      local_id: localId,
      remote_id: remoteId,
      remote_url: remoteId === '7' ? null : `https://redmine.example/issues/${remoteId}`,
      remote_updated_at: remoteId === '7' ? null : at,
      local_hash: `l${remoteId}`,
      remote_hash: `r${remoteId}`,
      base,
      synced_at: at,
    });
    const item = link('work_items', newId(), '12', { local: { title: 'Ünïcode 🚀', parent_id: null }, remote: { subject: 'x' } });
    const other = link('work_items', newId(), '7', {});
    const sprint = link('sprints', newId(), '3', { local: { name: 'S1' }, remote: {} });
    const elsewhere = { ...link('work_items', newId(), '12', {}), connection: 'openproject' };
    await store.write(async (tx) => {
      for (const l of [item, other, sprint, elsewhere]) await tx.sync.putLink(l);
    });
    const byLocal = (links: SyncLink[]) => [...links].sort((a, b) => a.local_id.localeCompare(b.local_id));
    expect(byLocal(await store.sync.links('redmine', 'work_items'))).toEqual(byLocal([item, other]));
    expect(await store.sync.links('redmine', 'sprints')).toEqual([sprint]);
    expect(await store.sync.linkByRemote('redmine', 'work_items', '12')).toEqual(item);
    // Read back, a link copies and takes a new base like the object it was written from.
    const [read] = await store.sync.links('redmine', 'sprints');
    expect({ ...read! }).toEqual(sprint);
    read!.base = { local: { name: 'S2' }, remote: {} };
    expect(read!.base).toEqual({ local: { name: 'S2' }, remote: {} });
    await store.write(async (tx) => {
      await tx.sync.putLink({ ...item, remote_id: '13', base: { local: {}, remote: {} }, local_hash: 'l13' });
      await tx.sync.deleteLink('redmine', 'work_items', other.local_id);
    });
    expect(await store.sync.links('redmine', 'work_items')).toEqual([
      { ...item, remote_id: '13', base: { local: {}, remote: {} }, local_hash: 'l13' },
    ]);
    expect(await store.sync.linkByRemote('redmine', 'work_items', '12')).toBeUndefined();
    await store.close();
  });

  it('filters, orders, pages and counts', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    const items = [1, 2, 3, 4, 5].map((n) => item(p.id, n, { status: n % 2 ? 'todo' : 'done' }));
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      for (const i of items) await tx.insert('work_items', i);
      await tx.update('work_items', { ...items[4]!, deleted_at: at });
    });
    const open = await store.list('work_items', { where: { status: { not: ['done'] } }, orderBy: [['item_number', 'desc']] });
    expect(open.map((i) => i.item_number)).toEqual([3, 1]);
    expect(await store.count('work_items', { where: { project_id: p.id } })).toBe(4);
    expect(await store.count('work_items', { where: { project_id: p.id }, includeDeleted: true })).toBe(5);
    const page = await store.list('work_items', { orderBy: [['item_number', 'asc']], limit: 2, offset: 1 });
    expect(page.map((i) => i.item_number)).toEqual([2, 3]);
    const found = await store.list('work_items', { search: { fields: ['title'], text: 'ITEM 4' } });
    expect(found.map((i) => i.item_number)).toEqual([4]);
    expect(await store.list('work_items', { where: { status: [] } })).toEqual([]);
    await store.close();
  });

  it('lists and counts the same inside a transaction as outside one', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    const q = project('APP');
    const priorities = ['low', 'medium', 'high', 'critical'] as const;
    const items = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      item(n % 3 ? p.id : q.id, n, {
        status: n % 2 ? 'todo' : 'done',
        priority: priorities[n % 4]!,
        story_points: n % 3 ? n : null,
        title: n === 6 ? 'Save 100%_off\\deals' : `Item ${n}`,
        description: n === 2 ? 'items on sale' : null,
      }),
    );
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      await tx.insert('projects', q);
      for (const i of items) await tx.insert('work_items', i);
      await tx.update('work_items', { ...items[4]!, deleted_at: at });
    });
    const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
    const queries: ListQuery<WorkItem>[] = [
      {},
      { includeDeleted: true },
      { where: { project_id: p.id, status: { not: ['done'] } }, orderBy: [['item_number', 'desc']] },
      { where: { status: [] } },
      { where: { status: ['todo', 'done'], priority: { not: [] } } },
      { where: { parent_id: null, sprint_id: undefined } },
      { search: { fields: ['title', 'description'], text: 'SALE' } },
      { search: { fields: ['title'], text: '100%_off\\' } },
      {
        orderBy: [
          ['priority', 'desc', { ranks: priorities }],
          ['id', 'asc'],
        ],
      },
      {
        orderBy: [
          ['story_points', 'asc', { nullsLast: true }],
          ['item_number', 'desc'],
        ],
      },
      {
        orderBy: [
          ['story_points', 'desc', { nullsLast: true }],
          ['item_number', 'asc'],
        ],
        limit: 3,
        offset: 2,
      },
      { afterId: sorted[2]!.id, limit: 2, where: { project_id: [p.id, q.id] } },
    ];
    for (const query of queries) {
      const outside = { list: await store.list('work_items', query), count: await store.count('work_items', query) };
      const inside = await store.read(async (tx) => ({
        list: await tx.list('work_items', query),
        count: await tx.count('work_items', query),
      }));
      expect(inside, JSON.stringify(query)).toEqual(outside);
    }
    expect((await store.list('work_items', queries[7])).map((i) => i.item_number)).toEqual([6]);
    await store.close();
  });

  it('counts again in a transaction after a write, a rollback or another connection changes the rows', async () => {
    const target = storeTarget(dialect);
    const store = await openStore(target);
    const p = project('WEB');
    const query: ListQuery<WorkItem> = { where: { project_id: p.id, status: { not: ['done'] } } };
    const counted = () => store.read((tx) => tx.count('work_items', query));
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      for (const n of [1, 2, 3]) await tx.insert('work_items', item(p.id, n, { status: 'todo' }));
    });
    expect(await counted()).toBe(3);
    expect(await counted()).toBe(3);

    const first = (await store.list('work_items', { where: { item_number: 1 } }))[0]!;
    await store.write((tx) => tx.update('work_items', { ...first, status: 'done' }));
    expect(await counted()).toBe(2);

    const rolledBack = store.write(async (tx) => {
      await tx.insert('work_items', item(p.id, 4, { status: 'todo' }));
      expect(await tx.count('work_items', query)).toBe(3);
      throw new Error('undo');
    });
    await expect(rolledBack).rejects.toThrow('undo');
    expect(await counted()).toBe(2);

    const other = await openStore(target);
    try {
      await other.write((tx) => tx.insert('work_items', item(p.id, 5, { status: 'review' })));
    } finally {
      await other.close();
    }
    expect(await counted()).toBe(3);
    const second = (await store.list('work_items', { where: { item_number: 2 } }))[0]!;
    await store.write((tx) => tx.deleteRows('work_items', [second.id]));
    expect(await counted()).toBe(2);
    await store.close();
  });

  it('lists work items as the JSON JSON.stringify makes of them, inside a transaction and outside one', async () => {
    const store = await freshStore(dialect);
    await loadRecords(store, edgeCaseData());
    const queries: ListQuery<WorkItem>[] = [
      { includeDeleted: true, orderBy: [['item_number', 'asc']] },
      { where: { status: { not: ['done'] } }, orderBy: [['title', 'desc']], limit: 9, offset: 4 },
    ];
    for (const query of queries) {
      const expected = (await store.list('work_items', query)).map((i) => ({
        json: JSON.stringify(i),
        project_id: i.project_id,
        item_number: i.item_number,
      }));
      expect(expected.length).toBeGreaterThan(0);
      expect(await store.listItemJson(query)).toEqual(expected);
      expect(await store.read((tx) => tx.listItemJson(query))).toEqual(expected);
    }
    await store.close();
  });

  it('finds a project by key: the live one before tombstones, the latest deleted, the oldest; the same inside a transaction', async () => {
    const store = await freshStore(dialect);
    const early = { ...project('WEB'), deleted_at: '2026-01-02T00:00:00.000Z' };
    const late = { ...project('WEB'), deleted_at: '2026-03-04T00:00:00.000Z' };
    const found = async (key: string) => {
      const outside = await store.projectByKey(key);
      expect(await store.read((tx) => tx.projectByKey(key))).toEqual(outside);
      return outside;
    };
    await store.write(async (tx) => {
      await tx.insert('projects', early);
      await tx.insert('projects', late);
    });
    expect(await found('WEB')).toEqual(late);
    const live = project('WEB');
    await store.write((tx) => tx.insert('projects', live));
    expect(await found('WEB')).toEqual(live);
    expect(await found('APP')).toBeUndefined();
    await store.close();
  });

  it('finds ids by their tail', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    await store.write((tx) => tx.insert('projects', p));
    expect(await store.idsEndingWith('projects', p.id.slice(-12), 5)).toEqual([p.id]);
    expect(await store.idsEndingWith('projects', 'ffffffffffff0', 5)).toEqual([]);
    await store.close();
  });

  it('keeps the links a delete cleared per deleted record and instant, and gives them back once', async () => {
    const store = await freshStore(dialect);
    const link = (deleted_at: string, work_item_id: string) =>
      ({ deleted_id: 'sprint-1', deleted_at, work_item_id, field: 'sprint_id' }) as const;
    const first = '2026-11-21T10:00:00.000Z';
    await store.write((tx) => tx.addClearedLinks([link(first, 'b'), link(first, 'a'), link(first, 'a')]));
    await store.write((tx) => tx.addClearedLinks([link('2026-11-22T10:00:00.000Z', 'c')]));
    expect(await store.write((tx) => tx.takeClearedLinks('sprint-1', first))).toEqual([link(first, 'a'), link(first, 'b')]);
    expect(await store.write((tx) => tx.takeClearedLinks('sprint-1', first))).toEqual([]);
    expect(await store.write((tx) => tx.takeClearedLinks('sprint-1', '2026-11-22T10:00:00.000Z'))).toHaveLength(1);
    await store.close();
  });

  it('allocates item numbers past any number already used', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      await tx.insert('work_items', item(p.id, 7));
    });
    expect(await store.write((tx) => tx.allocateItemNumber(p.id))).toBe(8);
    expect(await store.write((tx) => tx.allocateItemNumber(p.id))).toBe(9);
    expect((await store.get('projects', p.id))?.version).toBe(1);
    await store.close();
  });

  it('follows blocks dependencies and parent chains', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    const [a, b, c] = [item(p.id, 1), item(p.id, 2), item(p.id, 3)];
    b.parent_id = a.id;
    c.parent_id = b.id;
    const dep = (from: WorkItem, to: WorkItem, type: 'blocks' | 'relates_to' = 'blocks') => ({
      id: newId(),
      blocking_item_id: from.id,
      blocked_item_id: to.id,
      dependency_type: type,
      ...meta,
    });
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      for (const i of [a, b, c]) await tx.insert('work_items', i);
      await tx.insert('dependencies', dep(a, b));
      await tx.insert('dependencies', dep(b, c));
      await tx.insert('dependencies', dep(c, a, 'relates_to'));
    });
    expect(await store.blocksReachable(a.id, c.id)).toBe(true);
    expect(await store.blocksReachable(c.id, a.id)).toBe(false);
    expect(await store.ancestorIds(c.id)).toEqual([b.id, a.id]);
    await store.close();
  });

  it('rolls back every write of a failed transaction', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    await expect(
      store.write(async (tx) => {
        await tx.insert('projects', p);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.get('projects', p.id)).toBeUndefined();
    await store.close();
  });

  it('upgrades a version 4 database: rows from before have change counter 0, later writes more', async () => {
    const target = storeTarget(dialect);
    const old = await openStore(target);
    const p = await projectWithItems(old, [{}, {}]);
    await backToVersion4(old);
    await old.close();

    const store = await openStore(target);
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(await store.changeSeq()).toBe(0);
    expect(await store.changedIds('work_items', 0)).toEqual([]);
    const third = item(p.id, 3);
    await store.write((tx) => tx.insert('work_items', third));
    expect(await store.changedIds('work_items', 0)).toEqual([third.id]);
    await store.close();
  });

  it('upgrades a version 7 database: runs from before are no overwrite runs and deleted nothing', async () => {
    const target = storeTarget(dialect);
    const old = await openStore(target);
    const before = runRecord({ status: 'completed' });
    await old.sync.insertRun(before);
    await backToVersion7(old);
    await old.close();

    const store = await openStore(target);
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(await store.sync.getRun(before.id)).toMatchObject({ overwrite_mode: false, deletion_count: 0 });
    const overwrite = runRecord({ status: 'running', overwrite_mode: true });
    await store.sync.insertRun(overwrite);
    await store.sync.updateRun(overwrite.id, { deletion_count: 7 });
    expect(await store.sync.getRun(overwrite.id)).toMatchObject({ overwrite_mode: true, deletion_count: 7 });
    await store.close();
  });

  it('upgrades a version 8 database: connections start with no requests reserved', async () => {
    const target = storeTarget(dialect);
    const old = await openStore(target);
    await backToVersion8(old);
    await old.close();

    const store = await openStore(target);
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(await store.reserveRequest('redmine', { now: 5_000, intervalMs: 100, burst: 1 })).toBe(5_000);
    await store.close();
  });

  it("upgrades a version 9 database: a list's count reads an index of a project's live items by status", async () => {
    const target = storeTarget(dialect);
    const old = await openStore(target);
    const p = await projectWithItems(old, [{ status: 'todo' }, { status: 'todo' }, { status: 'done' }]);
    await backToVersion9(old);
    await old.close();

    const store = await openStore(target);
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect((await workItemIndexes(store)).work_items_count).toEqual(['project_id', 'deleted_at', 'status']);
    expect(await store.count('work_items', { where: { project_id: p.id, status: { not: ['done'] } } })).toBe(2);
    await store.close();
  });

  it('moves the change counter once per transaction, for imports too', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    const [a, b, c] = [item(p.id, 1), item(p.id, 2), item(p.id, 3)];
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      await tx.insertMany('work_items', [a, b]);
    });
    const first = await store.changeSeq();
    expect(await store.changedIds('work_items', first - 1)).toEqual(expect.arrayContaining([a.id, b.id]));
    await store.write((tx) => tx.upsertMany('work_items', [{ ...b, title: 'imported' }, c], { localSeq: 0 }));
    expect(await store.changeSeq()).toBe(first + 1);
    expect((await store.changedIds('work_items', first)).sort()).toEqual([b.id, c.id].sort());
    await store.write((tx) => tx.update('work_items', { ...a, title: 'edited' }));
    expect(await store.changedIds('work_items', first + 1)).toEqual([a.id]);
    expect(await store.changedIds('work_items', first + 2)).toEqual([]);
    await store.close();
  });

  it('counts records changed after a local change counter', async () => {
    const store = await freshStore(dialect);
    const before = Number((await store.getMeta('local_seq')) ?? 0);
    await store.write((tx) => tx.insert('projects', project('WEB')));
    await store.write((tx) => tx.insert('projects', project('API'), { localSeq: 0 }));
    expect(await store.countChangedSince('projects', before)).toBe(1);
    await store.close();
  });

  it('enforces foreign keys', async () => {
    const store = await freshStore(dialect);
    await expect(store.write((tx) => tx.insert('work_items', item(newId(), 1)))).rejects.toThrow();
    await store.close();
  });

  it('leaves references to the caller only in a transaction that says it checked them', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    const checking = async (tx: Store) =>
      dialect === 'sqlite'
        ? (await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(kysely(tx))).rows[0]!.foreign_keys === 1
        : true;
    expect(await store.write(checking, { referencesChecked: true })).toBe(dialect !== 'sqlite');
    expect(await store.write(checking)).toBe(true);
    await store.write((tx) => tx.insert('projects', p), { referencesChecked: true });
    await expect(store.write((tx) => tx.insert('work_items', item(newId(), 1)))).rejects.toThrow();
    await store.write((tx) => tx.insert('work_items', item(p.id, 1)), { referencesChecked: true });
    expect(await store.count('work_items')).toBe(1);
    await store.close();
  });

  it('writes a bulk load through a rollback journal only while it has the file to itself, and is in WAL mode after', async () => {
    const target = storeTarget(dialect);
    const store = await openStore(target);
    const journal = async (tx: Store) =>
      dialect === 'sqlite'
        ? (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(kysely(tx))).rows[0]!.journal_mode
        : 'postgres';
    const expected = (sqlite: string) => (dialect === 'sqlite' ? sqlite : 'postgres');
    const load = (key: string, fail = false) =>
      store.write(
        async (tx) => {
          await tx.insert('projects', project(key));
          if (fail) throw new Error('load failed');
          return journal(tx);
        },
        { bulkLoad: true },
      );
    expect(await load('WEB')).toBe(expected('delete'));
    expect(await journal(store)).toBe(expected('wal'));
    await expect(load('API', true)).rejects.toThrow('load failed');
    expect(await journal(store)).toBe(expected('wal'));
    expect((await store.list('projects')).map((p) => p.key)).toEqual(['WEB']);
    // Another connection has the file open: no waiting for it, the load goes through the WAL.
    const other = await openStore(target);
    expect(await load('OPS')).toBe(expected('wal'));
    expect(await other.count('projects')).toBe(2);
    await other.close();
    await store.close();
  });

  it('inserts and upserts many records in one call: whole statements of many rows and the rest', async () => {
    const store = await freshStore(dialect);
    const p = project('WEB');
    const items = Array.from({ length: 75 }, (_, i) => item(p.id, i + 1, { title: `Item ${i + 1} ✓` }));
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      await tx.insertMany('work_items', items, { localSeq: 0 });
    });
    const stored = await store.getMany(
      'work_items',
      items.map((i) => i.id),
    );
    expect(items.every((i) => JSON.stringify(stored.get(i.id)) === JSON.stringify(i))).toBe(true);
    const edited = [...items.map((i) => ({ ...i, title: `${i.title} (edited)` })), item(p.id, 76), item(p.id, 77)];
    await store.write((tx) => tx.upsertMany('work_items', edited));
    const after = await store.list('work_items', { orderBy: [['item_number', 'asc']] });
    expect(after.map((i) => i.title)).toEqual(edited.map((i) => i.title));
    expect(await store.idsBetween('work_items', items[10]!.id, items[19]!.id)).toEqual(
      new Set(items.slice(10, 20).map((i) => i.id)),
    );
    expect((await store.rowsWithIds('work_items', [items[74]!.id, items[3]!.id])).length).toBe(2);
    await store.close();
  });

  it('builds suspended indexes again after a bulk load, and a rollback keeps them too', async () => {
    const store = await freshStore(dialect);
    const before = await workItemIndexes(store);
    const p = project('WEB');
    await store.write(async (tx) => {
      const rebuild = await tx.suspendIndexes(['work_items']);
      await tx.insert('projects', p);
      await tx.insertMany('work_items', [item(p.id, 1), item(p.id, 2)]);
      await rebuild();
    });
    expect(await workItemIndexes(store)).toEqual(before);
    await expect(
      store.write(async (tx) => {
        await tx.suspendIndexes(['work_items']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await workItemIndexes(store)).toEqual(before);
    expect(await store.count('work_items')).toBe(2);
    await store.close();
  });
});
