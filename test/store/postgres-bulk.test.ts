import { describe, expect, it } from 'vitest';
import { ENTITY_TYPES, newId, type AnyRecord } from '../../src/domain/index.js';
import { toValues, type Store } from '../../src/store/index.js';
import { copyText } from '../../src/store/postgres/postgres-bulk.js';
import { canonicalRecord } from '../../src/sync/index.js';
import { byId } from '../../src/sync/snapshot/canonical.js';
import { item, project } from '../helpers/records.js';
import { edgeCaseData } from '../helpers/snapshot.js';
import { DIALECTS, freshStore } from '../helpers/stores.js';

/** Texts COPY's format gives a meaning to: escapes, its null marker, its end-of-data line. */
const AWKWARD = ['\\N', '\\.', 'a\n\\.\nb', 'tab\there', 'back\\slash\\', 'cr\r\nlf', '\\\\N', 'NULL', '', ' lead and trail '];

async function stored(store: Store, type: (typeof ENTITY_TYPES)[number]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of store.scanJson(type)) lines.push(line);
  return lines;
}

describe('COPY text', () => {
  it('escapes backslash, newline, carriage return and tab, writes null as \\N, one line per row', () => {
    const text = [
      ...copyText([
        ['a\\b', 'c\nd', 'e\rf', 'g\th', null, 42, 0, 'plain ✓'],
        [1, null],
      ]),
    ].join('');
    expect(text).toBe('a\\\\b\tc\\nd\te\\rf\tg\\th\t\\N\t42\t0\tplain ✓\n1\t\\N\n');
  });

  it('comes in chunks of about a mebibyte, each ending with a whole row', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [i, 'x'.repeat(1000)]);
    const chunks = [...copyText(rows)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.endsWith('\n'))).toBe(true);
    expect(chunks.join('').split('\n').length - 1).toBe(3000);
  });
});

describe.skipIf(!DIALECTS.includes('postgres'))('bulk writes on PostgreSQL', () => {
  it('keep every value byte for byte through COPY: inserts, encoded rows and upserts', async () => {
    const store = await freshStore('postgres');
    const data = edgeCaseData();
    const p = data.projects[0]!;
    const awkward = AWKWARD.map((title, i) => item(p.id, 1000 + i, { title: title || 'x' }));
    awkward.forEach((w, i) => (w.description = AWKWARD[i]!));
    await store.write(async (tx) => {
      await tx.deferForeignKeys();
      for (const type of ENTITY_TYPES) {
        const records = data[type] as AnyRecord[];
        // Work items as encoded rows (the path of large imports), the others as records.
        if (type === 'work_items')
          await tx.insertRows(
            type,
            [...records, ...awkward].map((r) => toValues(type, r as never, { local_seq: 0, change_seq: 0 })),
          );
        else await tx.insertMany(type, records as never[]);
      }
    });
    const items = [...data.work_items, ...awkward].sort(byId);
    expect(await stored(store, 'work_items')).toEqual(items.map((r) => canonicalRecord('work_items', r)));
    for (const type of ENTITY_TYPES.filter((t) => t !== 'work_items'))
      expect(await stored(store, type), type).toEqual(
        [...(data[type] as AnyRecord[])].sort(byId).map((r) => canonicalRecord(type, r)),
      );

    const edited = items.map((w, i) => ({ ...w, title: `${AWKWARD[i % AWKWARD.length]}\t${w.title}`, version: w.version + 1 }));
    await store.write((tx) => tx.upsertMany('work_items', edited));
    expect(await stored(store, 'work_items')).toEqual(edited.map((r) => canonicalRecord('work_items', r)));
    await store.close();
  });

  it('upsert the later record when one id comes twice in one call', async () => {
    const store = await freshStore('postgres');
    const p = project('WEB');
    const first = item(p.id, 1, { title: 'first' });
    await store.write(async (tx) => {
      await tx.insert('projects', p);
      await tx.upsertMany('work_items', [first, item(p.id, 2), { ...first, title: 'second' }]);
    });
    expect((await store.get('work_items', first.id))?.title).toBe('second');
    expect(await store.count('work_items')).toBe(2);
    await store.close();
  });

  it('that fail leave nothing of their transaction behind, and the store works on', async () => {
    const store = await freshStore('postgres');
    const p = project('WEB');
    const good = Array.from({ length: 600 }, (_, i) => item(p.id, i + 1));
    const error = await store
      .write(async (tx) => {
        await tx.insert('projects', p);
        await tx.insertMany('work_items', good);
        await tx.upsertMany('work_items', [{ ...good[0]!, title: 'changed' }]);
        await tx.insertMany('work_items', [item(p.id, 601), good[5]!]); // a duplicate id: COPY fails
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/duplicate key/);
    expect(await store.count('projects', { includeDeleted: true })).toBe(0);
    expect(await store.count('work_items', { includeDeleted: true })).toBe(0);
    // Outside a transaction a bulk write is one of its own: all of it or nothing.
    await store.insert('projects', p);
    await expect(store.insertMany('work_items', [item(p.id, 1), { ...item(p.id, 2), project_id: newId() }])).rejects.toThrow(
      /foreign key/,
    );
    expect(await store.count('work_items', { includeDeleted: true })).toBe(0);
    await store.insertMany('work_items', good.slice(0, 10));
    expect(await store.count('work_items')).toBe(10);
    await store.close();
  });

  it('run on the connection of their own transaction while others are open', async () => {
    const store = await freshStore('postgres');
    const p = project('WEB');
    await store.insert('projects', p);
    // Another transaction holds a connection of the pool (with a snapshot of its own) meanwhile.
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const reader = store.read(async (tx) => {
      await tx.count('work_items');
      opened();
      await held;
      return tx.count('work_items');
    });
    await isOpen;
    const kept = Array.from({ length: 50 }, (_, i) => item(p.id, i + 1));
    await expect(
      store.write(async (tx) => {
        await tx.insertMany(
          'work_items',
          Array.from({ length: 50 }, (_, i) => item(p.id, i + 101)),
        );
        await tx.upsertMany('work_items', [item(p.id, 200)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await store.write(async (tx) => {
      await tx.insertMany('work_items', kept);
      await tx.upsertMany('work_items', [{ ...kept[0]!, title: 'kept and edited' }]);
    });
    finish();
    expect(await reader).toBe(0);
    const items = await store.list('work_items', { orderBy: [['item_number', 'asc']] });
    expect(items.map((w) => w.id)).toEqual(kept.map((w) => w.id));
    expect(items[0]!.title).toBe('kept and edited');
    await store.close();
  });
});
