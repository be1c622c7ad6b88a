import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL, generateDataset } from '../../../bench/generate.js';
import { PmError, type ErrorIssue } from '../../../src/domain/index.js';
import { importSnapshot, type ImportOptions } from '../../../src/sync/index.js';
import { loadRecords, snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { DIALECTS, freshStore } from '../../helpers/stores.js';
import { seedLanes } from '../../helpers/tracker.js';

const data = generateDataset({ ...SMALL, items: 300, comments: 80, timeEntries: 30, dependencies: 40 }, 21);
let valid: string;

beforeAll(async () => {
  const source = await freshStore('sqlite');
  await loadRecords(source, data);
  valid = await snapshotText(source);
  await source.close();
});

/** The file with one record of a section changed. */
function edit(text: string, section: string, n: number, change: (record: Record<string, unknown>) => void): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  "${section}": [`)) + 1 + n;
  const comma = lines[at]!.endsWith(',');
  const record = JSON.parse(lines[at]!.trim().replace(/,$/, '')) as Record<string, unknown>;
  change(record);
  lines[at] = `    ${JSON.stringify(record)}${comma ? ',' : ''}`;
  return lines.join('\n');
}

/** An import into a new workspace (swim lanes only, as `pm init` leaves it): what it answered and left. */
async function landing(dialect: (typeof DIALECTS)[number], text: string, options: ImportOptions) {
  const store = await freshStore(dialect);
  await seedLanes(store);
  const before = await snapshotText(store);
  try {
    const answer = await importSnapshot(store, writeTemp(text), { label: 'snapshot.json', ...options }).then(
      (result) => ({ result }),
      (error: unknown) => {
        if (!(error instanceof PmError)) throw error;
        const issues = (error.details as { issues?: ErrorIssue[] } | undefined)?.issues ?? [];
        return { error: { code: error.code, message: error.message, issues } };
      },
    );
    const after = await snapshotText(store);
    return { result: undefined, error: undefined, ...answer, changed: after !== before, after };
  } finally {
    await store.close();
  }
}

describe.each(DIALECTS)('checking records on a worker thread on %s', (dialect) => {
  it('lands a file exactly as one thread does: the same database, counts and hash', async () => {
    const one = await landing(dialect, valid, { worker: false });
    const two = await landing(dialect, valid, { worker: true });
    expect(two.result?.counts.work_items.created).toBe(300);
    expect(two).toEqual(one);
  });

  it('reports every bad record as one thread does, and writes nothing', async () => {
    const item = data.work_items[7]!;
    const bad: Record<string, string> = {
      'a wrong type': edit(valid, 'work_items', 3, (r) => (r.title = 42)),
      'an unknown enum and a bad UUID': edit(
        edit(valid, 'work_items', 0, (r) => (r.priority = 'urgent')),
        'comments',
        2,
        (r) => (r.work_item_id = 'not-a-uuid'),
      ),
      'a dangling parent': edit(valid, 'work_items', 5, (r) => (r.parent_id = '019a0000-0000-7000-8000-000000000000')),
      'a duplicate id': edit(valid, 'work_items', 9, (r) => (r.id = item.id)),
      'a line that is not JSON': valid.replace(`{"id":"${item.id}"`, `{"id":"${item.id}`),
      'a truncated file': valid.slice(0, Math.floor(valid.length * 0.6)),
      'records before schema_version': valid.replace(/^\s*"schema_version": 1,\n/m, ''),
      'a newer schema_version': valid.replace('"schema_version": 1', '"schema_version": 99'),
    };
    for (const [what, text] of Object.entries(bad)) {
      const one = await landing(dialect, text, { worker: false });
      const two = await landing(dialect, text, { worker: true });
      expect(one.error, what).toBeDefined();
      expect(two.changed, what).toBe(false);
      expect(two, what).toEqual(one);
    }
  });

  it('imports the valid records with skipInvalid and rejects the same records', async () => {
    const text = edit(
      edit(valid, 'work_items', 4, (r) => (r.priority = 'someday')),
      'comments',
      1,
      (r) => (r.work_item_id = 'not-a-uuid'),
    );
    const one = await landing(dialect, text, { worker: false, skipInvalid: true });
    const two = await landing(dialect, text, { worker: true, skipInvalid: true });
    expect(two.result?.rejected.length).toBeGreaterThanOrEqual(2);
    expect(two).toEqual(one);
  });

  it('reports progress through the file', async () => {
    const seen: [number, number][] = [];
    await landing(dialect, valid, { worker: true, onProgress: (read, size) => seen.push([read, size]) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([read, size]) => read > 0 && read <= size && size === Buffer.byteLength(valid))).toBe(true);
  });
});
