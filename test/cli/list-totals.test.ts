import { beforeAll, describe, expect, it, vi } from 'vitest';
import { STREAM_PAGE, everyItem } from '../../src/cli/commands/item.js';
import type { ItemQuery } from '../../src/domain/index.js';
import type { WorkItemView } from '../../src/tracker/index.js';
import { webRepo, type boundPm } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 120_000 });

let cli: ReturnType<typeof boundPm>;

beforeAll(async () => {
  ({ cli } = await webRepo());
  for (let n = 1; n <= 102; n++) await cli.ok(['item', 'add', `Item ${n}`]);
  await cli.ok(['done', 'WEB-1']);
}, 120_000);

describe('lists past their page', () => {
  it('item list --json says on stderr how many it left out, keeping the array on stdout', async () => {
    const r = await cli.ok(['item', 'list', '--json']);
    expect(r.json<unknown[]>()).toHaveLength(100);
    expect(r.stderr).toBe('showing 100 of 101; --all for every one (finished ones too), or --limit/--offset\n');
    const whole = await cli.ok(['item', 'list', '--json', '--limit', '200']);
    expect(whole.stderr).toBe('');
  });

  it('item list --all --json streams every item, finished ones too, past the default page', async () => {
    const r = await cli.ok(['item', 'list', '--all', '--json']);
    const keys = r.json<{ key: string }[]>().map((i) => i.key);
    expect(keys).toHaveLength(102);
    expect(keys[0]).toBe('WEB-1');
    expect(keys[101]).toBe('WEB-102');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`);
  });

  it('item list in a table names the total and --all', async () => {
    const r = await cli.ok(['item', 'list']);
    expect(r.stderr).toMatch(/showing 100 of 101; --all for every one/);
    expect((await cli.ok(['item', 'list', '--all'])).stdout).toMatch(/WEB-102/);
  });
});

describe('every item, page by page', () => {
  it('reads past several pages from the --offset on, and stops after a short page', async () => {
    const all = Array.from({ length: 2 * STREAM_PAGE + 3 }, (_, n) => ({ n }) as unknown as WorkItemView);
    const asked: { offset?: number; limit?: number }[] = [];
    const list = (q: ItemQuery) => {
      asked.push({ offset: q.offset, limit: q.limit });
      const offset = q.offset ?? 0;
      return Promise.resolve({ items: all.slice(offset, offset + (q.limit ?? 100)), total: all.length });
    };
    const got: WorkItemView[] = [];
    for await (const i of everyItem(list, { offset: 2 })) got.push(i);
    expect(got).toEqual(all.slice(2));
    expect(asked).toEqual([0, 1, 2].map((p) => ({ offset: 2 + p * STREAM_PAGE, limit: STREAM_PAGE })));
  });
});
