import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { SMALL, generateDataset } from '../../../bench/generate.js';
import { ENTITY_TYPES } from '../../../src/domain/index.js';
import { canonicalRecord, importSnapshot, snapshotJsonSchema } from '../../../src/sync/index.js';
import { byId } from '../../../src/sync/snapshot/canonical.js';
import { LocalTracker } from '../../../src/tracker/index.js';
import { edgeCaseData, loadRecords, snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { DIALECTS, freshStore } from '../../helpers/stores.js';
import { manualClock } from '../../helpers/tracker.js';

describe.each(DIALECTS)('snapshot format on %s', (dialect) => {
  it('round-trips edge cases byte for byte: export, import into an empty database, export', async () => {
    const a = await freshStore(dialect);
    await loadRecords(a, edgeCaseData());
    const first = await snapshotText(a);
    const b = await freshStore(dialect);
    const result = await importSnapshot(b, writeTemp(first));
    expect(result.counts.work_items.created).toBe(60);
    expect(await snapshotText(b)).toBe(first);
    await a.close();
    await b.close();
  });

  it('stores and encodes rows exactly as canonicalRecord encodes records', async () => {
    const store = await freshStore(dialect);
    const data = edgeCaseData();
    await loadRecords(store, data);
    for (const type of ENTITY_TYPES) {
      const lines: string[] = [];
      for await (const line of store.scanJson(type)) lines.push(line);
      expect(lines, type).toEqual([...data[type]].sort(byId).map((r) => canonicalRecord(type, r)));
    }
    await store.close();
  });

  it('round-trips a generated data set byte for byte', async () => {
    const a = await freshStore(dialect);
    await loadRecords(a, generateDataset(SMALL, 7));
    const first = await snapshotText(a);
    const b = await freshStore(dialect);
    await importSnapshot(b, writeTemp(first));
    expect(await snapshotText(b)).toBe(first);
    await a.close();
    await b.close();
  });
});

describe('canonical bytes', () => {
  it('are identical for unchanged data, and a one-field edit changes one line', async () => {
    const store = await freshStore('sqlite');
    await loadRecords(store, generateDataset(SMALL, 3));
    const before = await snapshotText(store);
    expect(await snapshotText(store)).toBe(before);
    const tracker = new LocalTracker({ store, actor: 'x@example.com', clock: manualClock(), doneStatuses: ['done'] });
    const [item] = (await tracker.listItems({ limit: 1, all: true })).items;
    await tracker.editItem(item!.key, { title: 'A new title' });
    const after = await snapshotText(store);
    const a = before.split('\n');
    const b = after.split('\n');
    expect(b.length).toBe(a.length);
    expect(a.filter((line, i) => line !== b[i])).toHaveLength(1);
    await store.close();
  });

  it('put metadata first, one array per entity type in foreign-key order, one record per line', async () => {
    const store = await freshStore('sqlite');
    await loadRecords(store, edgeCaseData());
    const text = await snapshotText(store);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['{', '  "schema_version": 1,', '  "generator": "pm",']);
    const sections = lines.filter((l) => /^ {2}"[a-z_]+": \[/.test(l)).map((l) => /"([a-z_]+)"/.exec(l)![1]);
    expect(sections).toEqual([
      'projects',
      'sprints',
      'swim_lanes',
      'work_items',
      'comments',
      'dependencies',
      'time_entries',
      'conflicts',
    ]);
    for (const line of lines.filter((l) => l.startsWith('    {')))
      expect(() => void JSON.parse(line.replace(/,$/, ''))).not.toThrow();
    expect(JSON.parse(text)).toHaveProperty('work_items');
    await store.close();
  });

  it('validate against the JSON Schema shipped in schema/', async () => {
    const shipped = JSON.parse(readFileSync(new URL('../../../schema/snapshot.schema.json', import.meta.url), 'utf8')) as object;
    expect(shipped).toEqual(snapshotJsonSchema());
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(shipped);
    const store = await freshStore('sqlite');
    await loadRecords(store, edgeCaseData());
    const document = JSON.parse(await snapshotText(store)) as { work_items: { item_type: string }[] };
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    document.work_items[0]!.item_type = 'bug';
    expect(validate(document)).toBe(false);
    await store.close();
  });
});
