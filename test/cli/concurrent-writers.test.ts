import { describe, expect, it } from 'vitest';
import type { WorkItemView } from '../../src/tracker/index.js';
import { boundPm, pmProcess, type CliResult } from '../helpers/cli.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

const WRITERS = 6;
const STEPS = 4;

describe.each(DIALECTS)('pm processes writing one %s database at once', (dialect) => {
  it('keep every write they acknowledge', async () => {
    const cwd = tempDir();
    const env = dialect === 'postgres' ? { PM_DATABASE_URL: postgresUrl() } : {};
    const cli = boundPm(cwd, env);
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    await cli.ok(['item', 'add', '--type', 'task', 'Shared']);

    // Each writer alternates editing the shared item and adding one of its own.
    const runs: { args: string[]; result: CliResult }[] = [];
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let step = 0; step < STEPS; step++) {
          const name = `w${writer}-${step}`;
          const args = step % 2 === 0 ? ['item', 'edit', 'WEB-1', '--title', name] : ['item', 'add', '--type', 'task', name];
          runs.push({ args, result: await pmProcess(args, { cwd, env }) });
        }
      }),
    );

    for (const { args, result } of runs) expect(result.code, `pm ${args.join(' ')}: ${result.stderr}`).toBe(0);
    const items = await cli.json<WorkItemView[]>(['item', 'list', '--all', '--limit', '1000']);
    const added = runs.filter((r) => r.args[1] === 'add').map((r) => r.args.at(-1));
    expect(
      items
        .filter((i) => i.key !== 'WEB-1')
        .map((i) => i.title)
        .sort(),
    ).toEqual(added.sort());
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
    const edits = runs.filter((r) => r.args[1] === 'edit');
    const shared = items.find((i) => i.key === 'WEB-1')!;
    expect(shared.version).toBe(1 + edits.length);
  });
});
