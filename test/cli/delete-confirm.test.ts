import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/index.js';
import { testEnv, webRepo, type boundPm } from '../helpers/cli.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  ({ dir, cli } = await webRepo());
  await cli.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14']);
  await cli.ok(['item', 'add', '-t', 'epic', 'Checkout', '--sprint', 'Sprint 1']);
  await cli.ok(['item', 'add', 'Card form', '--parent', 'WEB-1', '--sprint', 'Sprint 1']);
});

/** pm as on a terminal, answering each question with `answer`; returns the questions asked. */
async function onTerminal(args: string[], answer: string) {
  const asked: string[] = [];
  let stderr = '';
  const code = await main(args, {
    cwd: dir,
    env: testEnv(),
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    isTTY: true,
    columns: 80,
    ask: (question) => {
      asked.push(question);
      return Promise.resolve(answer);
    },
  });
  return { code, asked, stderr };
}

const live = async () => (await cli.json<{ key: string }[]>(['item', 'list', '--all'])).map((i) => i.key);

describe('deletes that take more with them', () => {
  it('item rm of an item with children asks on a terminal; no keeps it, yes deletes it', async () => {
    const no = await onTerminal(['item', 'rm', 'WEB-1'], 'n');
    expect(no.asked).toEqual(['Delete WEB-1? Its 1 child item would lose its parent. [y/N] ']);
    expect(no.stderr).toContain('Nothing deleted.');
    expect(await live()).toEqual(['WEB-1', 'WEB-2']);
    expect((await onTerminal(['item', 'rm', 'WEB-1'], 'y')).code).toBe(0);
    expect(await live()).toEqual(['WEB-2']);
    // a leaf goes without a question
    expect((await onTerminal(['item', 'rm', 'WEB-2'], 'n')).asked).toEqual([]);
  });

  it('sprint rm of a sprint with items asks on a terminal', async () => {
    const no = await onTerminal(['sprint', 'rm', 'Sprint 1'], '');
    expect(no.asked).toEqual(['Delete sprint Sprint 1? Its 2 items would lose their sprint. [y/N] ']);
    expect(await cli.json<unknown[]>(['sprint', 'list'])).toHaveLength(1);
    expect((await onTerminal(['sprint', 'rm', 'Sprint 1'], 'yes')).code).toBe(0);
    expect(await cli.json<unknown[]>(['sprint', 'list'])).toHaveLength(0);
  });

  it('off a terminal such a delete is refused unless --yes, saying why', async () => {
    const item = await cli.run(['item', 'rm', 'WEB-1']);
    expect(item.code).toBe(EXIT_CODES.has_dependents);
    expect(item.stderr).toContain('not deleting WEB-1: its 1 child item would lose its parent; pass --yes to delete it anyway');
    const sprint = await cli.run(['sprint', 'rm', 'Sprint 1']);
    expect(sprint.code).toBe(EXIT_CODES.has_dependents);
    expect(sprint.stderr).toContain('not deleting sprint Sprint 1: its 2 items would lose their sprint; pass --yes');
    expect(await live()).toEqual(['WEB-1', 'WEB-2']);
    await cli.ok(['item', 'rm', 'WEB-1', '--yes']);
    await cli.ok(['sprint', 'rm', 'Sprint 1', '-y']);
    expect(await live()).toEqual(['WEB-2']);
  });

  it('item rm leaves the children without a parent, saying so, and pm restore gives them back their parent', async () => {
    await cli.ok(['item', 'add', 'Card number', '--parent', 'WEB-1']);
    await cli.ok(['item', 'add', 'Card expiry', '--parent', 'WEB-2']);
    const parentOf = async (key: string) =>
      (await cli.json<{ parent: { key: string } | null }>(['item', 'show', key])).parent?.key ?? null;
    const removed = await cli.ok(['item', 'rm', 'WEB-1', '--yes']);
    expect(removed.stdout).toBe('Deleted WEB-1 (pm restore WEB-1 undoes it)\n');
    expect(removed.stderr).toBe('WEB-2, WEB-3 no longer have a parent\n');
    expect(await live()).toEqual(['WEB-2', 'WEB-3', 'WEB-4']);
    expect([await parentOf('WEB-2'), await parentOf('WEB-3'), await parentOf('WEB-4')]).toEqual([null, null, 'WEB-2']);
    expect((await cli.ok(['restore', 'WEB-1'])).stdout).toBe('Restored WEB-1: Checkout\n');
    expect([await parentOf('WEB-2'), await parentOf('WEB-3'), await parentOf('WEB-4')]).toEqual(['WEB-1', 'WEB-1', 'WEB-2']);
  });
});

describe('pm restore', () => {
  it('brings a deleted item back with the dependencies its delete took, and says when there is nothing to do', async () => {
    await cli.ok(['item', 'add', 'Receipt']);
    await cli.ok(['dep', 'add', 'WEB-2', 'blocks', 'WEB-3']);
    expect((await cli.ok(['item', 'rm', 'WEB-2'])).stdout).toBe('Deleted WEB-2 (pm restore WEB-2 undoes it)\n');
    expect(await live()).toEqual(['WEB-1', 'WEB-3']);
    expect((await cli.ok(['restore', 'WEB-2'])).stdout).toBe('Restored WEB-2: Card form\n');
    expect(await live()).toEqual(['WEB-1', 'WEB-2', 'WEB-3']);
    const shown = await cli.json<{ parent: { key: string }; blocks: { blocked_key: string }[] }>(['item', 'show', 'WEB-2']);
    expect(shown.parent.key).toBe('WEB-1');
    expect(shown.blocks.map((d) => d.blocked_key)).toEqual(['WEB-3']);
    expect((await cli.ok(['item', 'restore', 'WEB-2'])).stderr).toBe('WEB-2 is not deleted: nothing to restore\n');
    expect((await cli.run(['restore', 'WEB-9'])).code).toBe(EXIT_CODES.not_found);
  });

  it('brings a deleted sprint back with the items its delete took out of it, by name in pm restore or pm sprint restore', async () => {
    const inSprint = async () => (await cli.json<{ key: string }[]>(['item', 'list', '--sprint', 'Sprint 1'])).map((i) => i.key);
    const removed = await cli.ok(['sprint', 'rm', 'Sprint 1', '--yes']);
    expect(removed.stdout).toBe('Deleted sprint Sprint 1 (pm sprint restore "Sprint 1" undoes it)\n');
    expect((await cli.json<{ sprint_id: string | null }[]>(['item', 'list'])).map((i) => i.sprint_id)).toEqual([null, null]);
    expect((await cli.ok(['restore', 'Sprint 1'])).stdout).toBe('Restored sprint Sprint 1 with 2 items\n');
    expect(await inSprint()).toEqual(['WEB-1', 'WEB-2']);
    expect((await cli.ok(['sprint', 'restore', 'sprint 1'])).stderr).toBe('sprint Sprint 1 is not deleted: nothing to restore\n');
    await cli.ok(['sprint', 'rm', 'Sprint 1', '--yes']);
    expect((await cli.ok(['sprint', 'restore', 'Sprint 1'])).stdout).toBe('Restored sprint Sprint 1 with 2 items\n');
    const missing = await cli.run(['restore', 'Sprint 9']);
    expect(missing.code).toBe(EXIT_CODES.not_found);
    expect(missing.stderr).toContain('item or sprint "Sprint 9" not found');
  });
});
