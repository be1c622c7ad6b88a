import { describe, expect, test } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../src/domain/index.js';
import { pm } from '../helpers/cli.js';
import { memoryErrors } from '../helpers/memory-tracker.js';
import { memorySyncApp } from '../helpers/memory-sync.js';
import { tempDir } from '../helpers/temp.js';

/** pm sync runs / failures / retry with --entity, --from/--to and several ids, through a pm server. */

describe('pm sync filters through a server', () => {
  test('--entity narrows runs, failures and retry; --to takes a date; several ids retry exactly those', async () => {
    const f = await memorySyncApp('sqlite', { workers: 1 });
    for (const title of ['One', 'Two', 'Three']) await f.local.addItem({ item_type: 'task', title });
    await f.local.addComment({ item: 'WEB-3', content: 'A comment' });
    f.remote.inject({ call: 'create', type: 'comments', error: memoryErrors.refused, times: Infinity });
    f.remote.inject({ call: 'create', type: 'work_items', error: memoryErrors.refused, times: 2 });
    const first = await f.sync({ direction: 'push' });
    f.remote.clearFaults();
    const cwd = tempDir();
    const cli = async (...args: string[]) => {
      const r = await pm(['--server', f.app.url, 'sync', ...args], { cwd });
      return r;
    };

    const runs = await cli('runs', '--entity', 'comments', '--to', first.created_at.slice(0, 10), '--json');
    expect(runs.json<{ runs: SyncRun[] }>().runs.map((r) => r.id)).toEqual([first.id]);
    expect((await cli('runs', '--from', '2999-01-01', '--json')).json<{ total: number }>().total).toBe(0);
    const bad = await cli('runs', '--entity', 'projects');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--entity: expected one of sprints, work_items')]);

    const failures = (await cli('failures', '--entity', 'work_items', '--json')).json<{ items: SyncRunItem[] }>().items;
    expect(failures.map((i) => i.entity_type)).toEqual(['work_items', 'work_items']);
    const retry = await cli('retry', ...failures.map((i) => i.id.slice(-12)), '--json');
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.json<{ run: SyncRun }>().run.filters.ids).toHaveLength(2);
    const left = (await cli('failures', '--json')).json<{ items: SyncRunItem[] }>().items;
    expect(left.map((i) => i.entity_type)).toEqual(['comments']);
    expect((await cli('retry', '--entity', 'comments', '--quiet')).code).toBe(0);
    expect((await cli('failures', '--json')).json<{ total: number }>().total).toBe(0);
  });
});
