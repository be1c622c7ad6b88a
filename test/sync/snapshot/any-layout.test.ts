import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../../src/domain/index.js';
import { importSnapshot } from '../../../src/sync/index.js';
import { writeTemp } from '../../helpers/snapshot.js';
import { freshStore } from '../../helpers/stores.js';

/** Files not in pm's one-record-per-line layout are read value by value, each record on its own. */
async function problems(text: string) {
  const store = await freshStore('sqlite');
  try {
    const error = await importSnapshot(store, writeTemp(text)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SnapshotError);
    return (error as SnapshotError).issues;
  } finally {
    await store.close();
  }
}

describe('a snapshot in another JSON layout', () => {
  it('names each record that is not JSON and reads on to the next', async () => {
    const issues = await problems('{ "schema_version": 1,\n  "projects": [\n    {oops},\n    {"id": 5, "key": "WEB"}\n  ]\n}\n');
    expect(issues.map((i) => i.path).slice(0, 2)).toEqual(['projects[0]', 'projects[1].id']);
    expect(issues[0]!.line).toBe(3);
    expect(issues[0]!.message).toMatch(/^line 3: invalid JSON: /);
  });

  it('says where its structure breaks, by line', async () => {
    const issues = await problems('{"schema_version": 1,\n"projects": []\n"sprints": []}');
    expect(issues).toEqual([
      expect.objectContaining({ line: 3, message: 'line 3: invalid JSON: expected , or } after a value, found "\\""' }),
    ]);
  });

  it('reads schema_version written after the records', async () => {
    const issues = await problems('{"projects": [{"id": 5}], "schema_version": 1}');
    expect(issues[0]).toMatchObject({ path: 'projects[0].id', message: 'expected string, got number' });
  });
});
