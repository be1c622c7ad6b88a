import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL, generateDataset } from '../../../bench/generate.js';
import { PmError, type ErrorIssue } from '../../../src/domain/index.js';
import type { Store } from '../../../src/store/index.js';
import { importSnapshot } from '../../../src/sync/index.js';
import { loadRecords, snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { DIALECTS, freshStore } from '../../helpers/stores.js';
import { tempDir } from '../../helpers/temp.js';

const data = generateDataset({ ...SMALL, items: 200, comments: 50, timeEntries: 20, dependencies: 30 }, 11);
let valid: string;
let lines: string[];

beforeAll(async () => {
  const source = await freshStore('sqlite');
  await loadRecords(source, data);
  valid = await snapshotText(source);
  lines = valid.split('\n');
  await source.close();
});

/** The line of the n-th record of a section. */
function lineOf(section: string, n: number): number {
  const start = lines.findIndex((l) => l.startsWith(`  "${section}": [`));
  return start + 1 + n;
}

function edit(section: string, n: number, change: (record: Record<string, unknown>) => void): string {
  const copy = [...lines];
  const at = lineOf(section, n);
  const comma = copy[at]!.endsWith(',');
  const record = JSON.parse(copy[at]!.trim().replace(/,$/, '')) as Record<string, unknown>;
  change(record);
  copy[at] = `    ${JSON.stringify(record)}${comma ? ',' : ''}`;
  return copy.join('\n');
}

async function refused(store: Store, text: string | string[]): Promise<{ error: PmError; issues: ErrorIssue[] }> {
  const before = await snapshotText(store);
  const file = Array.isArray(text) ? writeTemp(text.join('\n')) : writeTemp(text);
  const error = await importSnapshot(store, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the import should have been refused').toBeInstanceOf(PmError);
  expect(await snapshotText(store), 'the database must not change').toBe(before);
  const pm = error as PmError;
  return { error: pm, issues: (pm.details as { issues?: ErrorIssue[] })?.issues ?? [] };
}

describe.each(DIALECTS)('a bad snapshot on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore(dialect);
    await loadRecords(
      store,
      generateDataset({ ...SMALL, projects: 1, items: 20, comments: 5, timeEntries: 5, dependencies: 5 }, 99),
    );
  });

  it('is refused when truncated', async () => {
    const { error } = await refused(store, valid.slice(0, Math.floor(valid.length / 2)));
    expect(error.message).toMatch(/truncated|invalid JSON/);
  });

  it('is refused when it is not JSON', async () => {
    const { error } = await refused(store, '{ "schema_version": 1, "projects": [ {oops} ] }');
    expect(error.message).toContain('invalid JSON');
  });

  it('names record, index, id and field for a wrong type', async () => {
    const { issues } = await refused(
      store,
      edit('work_items', 3, (r) => (r.title = 42)),
    );
    const item = data.work_items[3]!;
    expect(issues).toEqual([
      expect.objectContaining({
        entity_type: 'work_items',
        index: 3,
        id: item.id,
        field: 'title',
        line: lineOf('work_items', 3) + 1,
      }),
    ]);
    expect(issues[0]!.message).toContain('expected string, got number');
  });

  it('names the allowed values for an unknown enum', async () => {
    const { issues } = await refused(
      store,
      edit('work_items', 0, (r) => (r.priority = 'urgent')),
    );
    expect(issues[0]).toMatchObject({ field: 'priority' });
    expect(issues[0]!.message).toContain('expected one of "low", "medium", "high", "critical"');
  });

  it('refuses a bad UUID', async () => {
    const { issues } = await refused(
      store,
      edit('comments', 0, (r) => (r.work_item_id = 'not-a-uuid')),
    );
    expect(issues[0]).toMatchObject({ entity_type: 'comments', field: 'work_item_id' });
    expect(issues[0]!.message).toContain('expected a lowercase UUID');
  });

  it('refuses dangling parent, sprint and work item references', async () => {
    const nowhere = '01929b6a-0000-7000-8000-00000000dead';
    let text = edit('work_items', 5, (r) => (r.parent_id = nowhere));
    lines = text.split('\n');
    text = edit('work_items', 6, (r) => (r.sprint_id = nowhere));
    lines = text.split('\n');
    text = edit('time_entries', 0, (r) => (r.work_item_id = nowhere));
    lines = valid.split('\n');
    const { issues } = await refused(store, text);
    expect(issues.map((i) => [i.entity_type, i.field])).toEqual([
      ['work_items', 'parent_id'],
      ['work_items', 'sprint_id'],
      ['time_entries', 'work_item_id'],
    ]);
    expect(issues[0]!.message).toContain('which is neither in the file nor in the database');
  });

  it('refuses a blocks cycle in the file', async () => {
    const blocks = data.dependencies.find((d) => d.dependency_type === 'blocks' && d.deleted_at === null)!;
    const index = data.dependencies.indexOf(blocks);
    const copy = [...lines];
    const last = lineOf('dependencies', data.dependencies.length - 1);
    const reverse = {
      ...blocks,
      id: '01ffffff-0000-7000-8000-000000000001',
      blocking_item_id: blocks.blocked_item_id,
      blocked_item_id: blocks.blocking_item_id,
    };
    copy[last] = `${copy[last]},\n    ${JSON.stringify(reverse)}`;
    const { issues } = await refused(store, copy);
    expect(issues.some((i) => i.entity_type === 'dependencies' && /cycle/.test(i.message))).toBe(true);
    expect(index).toBeGreaterThanOrEqual(0);
  });

  it('refuses duplicate ids', async () => {
    const copy = [...lines];
    const at = lineOf('comments', 0);
    copy[at] = `${copy[at]!.replace(/,$/, '')},\n${copy[at]}`;
    const { issues } = await refused(store, copy);
    expect(issues).toEqual([
      expect.objectContaining({
        entity_type: 'comments',
        index: 1,
        field: 'id',
        message: expect.stringContaining('duplicate id') as unknown,
      }),
    ]);
  });

  it('refuses a comment that has the id of a work item, naming the comment', async () => {
    const itemId = (JSON.parse(lines[lineOf('work_items', 0)]!.trim().replace(/,$/, '')) as { id: string }).id;
    const { issues } = await refused(
      store,
      edit('comments', 0, (r) => (r.id = itemId)),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        entity_type: 'comments',
        index: 0,
        id: itemId,
        field: 'id',
        message: expect.stringContaining(
          'id already used by a record of work_items: ids are unique across every type',
        ) as unknown,
      }),
    ]);
  });

  it('refuses a newer schema_version, naming the version needed', async () => {
    const { error } = await refused(store, valid.replace('"schema_version": 1', '"schema_version": 7'));
    expect(error.code).toBe('schema_too_new');
    expect(error.message).toContain('schema version 7');
    expect(error.message).toContain('supports up to 1');
  });

  it('refuses an empty file', async () => {
    const { error } = await refused(store, '');
    expect(error.message).toContain('empty');
  });

  it('reports every bad record at once', async () => {
    let text = edit('work_items', 1, (r) => (r.title = ''));
    lines = text.split('\n');
    text = edit('work_items', 2, (r) => (r.item_type = 'bug'));
    lines = text.split('\n');
    text = edit('sprints', 0, (r) => (r.end_date = '1999-01-01'));
    lines = valid.split('\n');
    const { issues } = await refused(store, text);
    expect(issues.map((i) => [i.entity_type, i.index, i.field])).toEqual([
      ['sprints', 0, 'end_date'],
      ['work_items', 1, 'title'],
      ['work_items', 2, 'item_type'],
    ]);
  });

  it('refuses a 100 MB line without reading it into memory', async () => {
    const dir = tempDir();
    const path = join(dir, 'huge.json');
    const fd = openSync(path, 'w');
    const head = lines.slice(0, lineOf('work_items', 0)).join('\n');
    writeSync(fd, `${head}\n    {"id":"`);
    const chunk = 'x'.repeat(1 << 20);
    for (let i = 0; i < 100; i++) writeSync(fd, chunk);
    writeSync(fd, `"},\n${lines.slice(lineOf('work_items', 0) + 1).join('\n')}`);
    closeSync(fd);
    const before = await snapshotText(store);
    const error = (await importSnapshot(store, path).catch((e: unknown) => e)) as PmError;
    expect(error).toBeInstanceOf(PmError);
    expect(error.message).toMatch(/line is 100\.\d MiB long; a record may take at most 16 MiB/);
    expect(await snapshotText(store)).toBe(before);
  });
});
