import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { webRepo, type boundPm } from '../helpers/cli.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  ({ dir, cli } = await webRepo());
  await cli.ok(['item', 'add', '--type', 'task', 'One']);
  await cli.ok(['item', 'add', '--type', 'task', 'Two', '--assignee', 'me']);
});

const statuses = async () =>
  (await cli.json<{ key: string; status: string }[]>(['item', 'list', '--all'])).map((i) => `${i.key}:${i.status}`);

describe('short verbs', () => {
  it('pm ls is pm item list, with its options', async () => {
    const ls = await cli.ok(['ls', '--assignee', 'me', '--json']);
    expect(ls.json<{ key: string }[]>().map((i) => i.key)).toEqual(['WEB-2']);
    expect((await cli.ok(['ls'])).stdout).toEqual((await cli.ok(['item', 'list'])).stdout);
    expect((await cli.ok(['ls', '--help'])).stdout).toMatch(/^Usage: pm item list/);
    expect((await cli.ok(['help', 'ls'])).stdout).toMatch(/^Usage: pm item list/);
  });

  it('pm start moves items to in_progress; pm done and pm close move them to the first done status', async () => {
    expect((await cli.ok(['start', 'WEB-1', 'WEB-2'])).stdout).toBe('Moved WEB-1 to in_progress\nMoved WEB-2 to in_progress\n');
    expect(await statuses()).toEqual(['WEB-1:in_progress', 'WEB-2:in_progress']);
    await cli.ok(['done', 'WEB-1']);
    await cli.ok(['lane', 'add', "Won't fix", '--status', 'wontfix']);
    await cli.ok(['config', 'set', 'workflow.done_statuses', '["wontfix", "done"]']);
    await cli.ok(['close', 'WEB-2']);
    expect(await statuses()).toEqual(['WEB-1:done', 'WEB-2:wontfix']);
  });
});

describe('aliases in config.toml', () => {
  it('runs an alias with its words and the words given after it, quoted words kept whole', async () => {
    await cli.ok(['config', 'set', 'aliases.mine', 'ls --assignee me']);
    await cli.ok(['config', 'set', 'aliases.find', "item list --search 'Tw o'"]);
    expect((await cli.ok(['help', 'mine'])).stdout).toMatch(/^Usage: pm item list/);
    const mine = await cli.ok(['mine', '--json']);
    expect(mine.json<{ key: string }[]>().map((i) => i.key)).toEqual(['WEB-2']);
    expect((await cli.ok(['find', '--json'])).json()).toEqual([]);
    expect((await cli.run(['nope'])).stderr).toMatch(/unknown command 'nope'/);
  });

  it('cannot replace a command: config set refuses it, and a command wins over one written by hand', async () => {
    const refused = await cli.run(['config', 'set', 'aliases.done', 'item list']);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('"done" is a pm command')]);
    const config = join(dir, '.pm', 'config.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('[aliases]\n', '[aliases]\nboard = "item list"\n'));
    expect((await cli.ok(['board'])).stdout).toMatch(/^WEB Website/);
  });
});
