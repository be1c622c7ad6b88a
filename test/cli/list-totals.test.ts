import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { boundPm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

vi.setConfig({ testTimeout: 120_000 });

let cli: ReturnType<typeof boundPm>;

beforeAll(async () => {
  const dir = tempDir();
  execFileSync('git', ['init', '-q', dir]);
  cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
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
