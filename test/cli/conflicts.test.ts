import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conflict } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { webRepo } from '../helpers/cli.js';
import { at, meta } from '../helpers/records.js';
import { loadRecords } from '../helpers/snapshot.js';

function conflict(id: string, entity_type: Conflict['entity_type'], record_id: string): Conflict {
  return {
    ...meta,
    id,
    entity_type,
    record_id,
    field: 'title',
    ours_value: 'A',
    theirs_value: 'B',
    winner: 'theirs',
    reason: 'the later write wins',
    detected_at: at,
    resolution: null,
    resolved_value: null,
  };
}

describe('pm conflicts --json', () => {
  it('shows the display key of the item or project next to its id, as the table does, and null for other records', async () => {
    const { dir, cli } = await webRepo();
    const item = await cli.json<{ id: string }>(['item', 'add', 'Checkout']);
    const project = await cli.json<{ id: string }>(['project', 'show', 'WEB']);
    const comment = await cli.json<{ id: string }>(['comment', 'add', 'WEB-1', 'hi']);
    const store = await openStore(join(dir, '.pm', 'data.db'));
    try {
      await loadRecords(store, {
        conflicts: [
          conflict('0192f0c4-7a3e-7b21-9c4d-000000000001', 'work_items', item.id),
          conflict('0192f0c4-7a3e-7b21-9c4d-000000000002', 'projects', project.id),
          conflict('0192f0c4-7a3e-7b21-9c4d-000000000003', 'comments', comment.id),
        ],
      });
    } finally {
      await store.close();
    }
    const listed = await cli.json<Record<string, unknown>[]>(['conflicts']);
    expect(listed.map((c) => [c.record_id, c.record_key])).toEqual([
      [item.id, 'WEB-1'],
      [project.id, 'WEB'],
      [comment.id, null],
    ]);
    expect(Object.keys(listed[0]!).slice(0, 4)).toEqual(['id', 'entity_type', 'record_id', 'record_key']);
    const table = (await cli.ok(['conflicts'])).stdout;
    expect(table).toContain(' WEB-1 ');
    expect(table).toContain(' project WEB ');
  });
});
