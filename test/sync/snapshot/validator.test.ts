import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../bench/generate.js';
import { PmError, type ErrorIssue } from '../../../src/domain/index.js';
import { importSnapshot } from '../../../src/sync/index.js';
import { loadRecords, snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { freshStore } from '../../helpers/stores.js';

type Fields = Record<string, unknown> & { id: string };

/** A small valid snapshot, and its records by section, to edit. */
let valid: string;
const data = generateDataset({ projects: 2, sprints: 2, items: 40, comments: 10, timeEntries: 4, dependencies: 6 }, 31);

beforeAll(async () => {
  const source = await freshStore('sqlite');
  await loadRecords(source, data);
  valid = await snapshotText(source);
  await source.close();
});

/** The snapshot with some records changed (by id), each still on its own line. */
function edited(changes: Record<string, (record: Fields) => void>): string {
  return valid
    .split('\n')
    .map((line) => {
      const id = /^\s*\{"id":"([^"]+)"/.exec(line)?.[1];
      if (!id || !changes[id]) return line;
      const comma = line.endsWith(',');
      const record = JSON.parse(line.trim().replace(/,$/, '')) as Fields;
      changes[id](record);
      return `    ${JSON.stringify(record)}${comma ? ',' : ''}`;
    })
    .join('\n');
}

/** What an import of the text into an empty database reports. */
async function issuesOf(text: string): Promise<ErrorIssue[]> {
  const store = await freshStore('sqlite');
  try {
    await importSnapshot(store, writeTemp(text), { dryRun: true, worker: false });
    return [];
  } catch (error) {
    if (!(error instanceof PmError)) throw error;
    return (error.details as { issues: ErrorIssue[] }).issues;
  } finally {
    await store.close();
  }
}

/** Items no other item names as its parent, in file (id) order: links between them make no loop by chance. */
function leaves() {
  const parents = new Set(data.work_items.map((w) => w.parent_id));
  return data.work_items.filter((w) => !parents.has(w.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('checks across the records of a snapshot', () => {
  it('accept the file as it is', async () => {
    expect(await issuesOf(valid)).toEqual([]);
  });

  it('name every item of a parent loop, in the order the links run', async () => {
    const mine = leaves().filter((w) => w.project_id === leaves()[0]!.project_id);
    const [a, b, c] = [mine[1]!, mine[4]!, mine[7]!];
    const issues = await issuesOf(
      edited({
        [a.id]: (r) => (r.parent_id = b.id),
        [b.id]: (r) => (r.parent_id = c.id),
        [c.id]: (r) => (r.parent_id = a.id),
      }),
    );
    expect(issues.map((i) => i.message)).toEqual([`id ${a.id}: parent links loop: ${a.id} → ${b.id} → ${c.id} → ${a.id}`]);
    expect(issues[0]).toMatchObject({ entity_type: 'work_items', id: a.id, field: 'parent_id' });
  });

  it('refuse a parent in another project, whether it comes before or after the child in the file', async () => {
    // The generator writes the items of one project after the other: ids (file order) follow.
    const all = leaves();
    const [p, q] = [
      all.filter((w) => w.project_id === all[0]!.project_id),
      all.filter((w) => w.project_id !== all[0]!.project_id),
    ];
    expect(p.at(-1)!.id < q[0]!.id).toBe(true);
    const [later, earlier] = [p[0]!, q[0]!];
    const issues = await issuesOf(
      edited({ [later.id]: (r) => (r.parent_id = q.at(-1)!.id), [earlier.id]: (r) => (r.parent_id = p.at(-1)!.id) }),
    );
    const message = (parent: string) => `parent ${parent} is in another project; a parent must be in the same project`;
    // A parent the file showed already is checked at once; one further down, at the end.
    expect(issues.map((i) => [i.id, i.field, i.message.replace(/^line \d+: id \S+: /, '')])).toEqual([
      [earlier.id, 'parent_id', message(p.at(-1)!.id)],
      [later.id, 'parent_id', message(q.at(-1)!.id)],
    ]);
  });

  it('take references to records further down the file, and refuse those that never come', async () => {
    const mine = leaves().filter((w) => w.project_id === leaves()[0]!.project_id);
    const [first, second, last] = [mine[0]!, mine[1]!, mine.at(-1)!];
    const nowhere = '01929b6a-0000-7000-8000-00000000dead';
    const issues = await issuesOf(
      edited({ [first.id]: (r) => (r.parent_id = last.id), [second.id]: (r) => (r.parent_id = nowhere) }),
    );
    expect(issues.map((i) => [i.id, i.field])).toEqual([[second.id, 'parent_id']]);
    expect(issues[0]!.message).toContain(`refers to work item ${nowhere}, which is neither in the file nor in the database`);
  });

  it('tell types apart: a record of another type with the id does not answer a reference', async () => {
    const sprint = data.sprints[0]!;
    const comment = data.comments[0]!;
    const issues = await issuesOf(edited({ [comment.id]: (r) => (r.work_item_id = sprint.id) }));
    expect(issues.map((i) => [i.entity_type, i.id, i.field])).toEqual([['comments', comment.id, 'work_item_id']]);
  });

  it('refuse an id twice in one type, or in two types', async () => {
    const [x, y] = data.comments;
    const entry = data.time_entries[0]!;
    const twice = await issuesOf(edited({ [y!.id]: (r) => (r.id = x!.id) }));
    expect(twice.map((i) => [i.entity_type, i.id, i.message.replace(/^line \d+: id \S+: /, '')])).toEqual([
      ['comments', x!.id, 'duplicate id: this record appears more than once'],
    ]);
    const across = await issuesOf(edited({ [entry.id]: (r) => (r.id = x!.id) }));
    expect(across.map((i) => [i.entity_type, i.id, i.message.replace(/^line \d+: id \S+: /, '')])).toEqual([
      ['time_entries', x!.id, 'id already used by a record of comments: ids are unique across every type'],
    ]);
  });
});
