import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { webRepo, type boundPm } from '../helpers/cli.js';

let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  ({ cli } = await webRepo());
  await cli.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14']);
  await cli.ok(['item', 'add', 'Mine in sprint', '--assignee', 'me', '--sprint', 'Sprint 1', '--priority', 'low']);
  await cli.ok(['item', 'add', 'Mine, no sprint', '--assignee', 'me', '--priority', 'critical']);
  await cli.ok(['item', 'add', 'Theirs in sprint', '--assignee', 'ann@example.com', '--sprint', 'Sprint 1']);
});

const keys = async (args: string[]) => (await cli.json<{ key: string }[]>(args)).map((i) => i.key);

describe('narrowing and ordering lists', () => {
  it('pm ready takes --assignee (me, none) and --sprint (none)', async () => {
    expect(await keys(['ready', '--assignee', 'me'])).toEqual(['WEB-2', 'WEB-1']);
    expect(await keys(['ready', '--assignee', 'me', '--sprint', 'Sprint 1'])).toEqual(['WEB-1']);
    expect(await keys(['ready', '--sprint', 'none'])).toEqual(['WEB-2']);
    expect(await keys(['ready', '--assignee', 'none'])).toEqual([]);
  });

  it('pm ready --json says on stderr when --limit left items out', async () => {
    const cut = await cli.ok(['ready', '--limit', '2', '--json']);
    expect(cut.json<unknown[]>()).toHaveLength(2);
    expect(cut.stderr).toBe('showing the first 2; --limit for more\n');
    expect((await cli.ok(['ready', '--limit', '3', '--json'])).stderr).toBe('');
  });

  it('item list --status refuses a status no lane has, naming --status and the lanes', async () => {
    const r = await cli.run(['item', 'list', '--status', 'todo,doing']);
    expect(r.code).toBe(EXIT_CODES.validation_failed);
    expect(r.stderr).toMatch(/--status/);
    expect(r.stderr).toMatch(/"doing"/);
    expect(r.stderr).toMatch(/expected one of .*todo.*in_progress/);
    expect(await keys(['item', 'list', '--status', 'backlog'])).toEqual(['WEB-1', 'WEB-2', 'WEB-3']);
  });

  it('item list --sort takes key, created, updated, priority and status (in lane order), "-" for descending', async () => {
    await cli.ok(['item', 'edit', 'WEB-1', '--title', 'touched last']);
    expect(await keys(['item', 'list', '--sort', '-key'])).toEqual(['WEB-3', 'WEB-2', 'WEB-1']);
    expect(await keys(['item', 'list', '--sort', '-created'])).toEqual(['WEB-3', 'WEB-2', 'WEB-1']);
    expect(await keys(['item', 'list', '--sort', '-updated'])).toEqual(['WEB-1', 'WEB-3', 'WEB-2']);
    expect(await keys(['item', 'list', '--sort', '-priority,key'])).toEqual(['WEB-2', 'WEB-3', 'WEB-1']);
    await cli.ok(['start', 'WEB-3']);
    await cli.ok(['done', 'WEB-1']);
    // by lane, not by spelling: backlog, in_progress, done
    expect(await keys(['item', 'list', '--all', '--sort', 'status'])).toEqual(['WEB-2', 'WEB-3', 'WEB-1']);
  });

  it('time list --user me lists your own entries', async () => {
    await cli.ok(['time', 'add', 'WEB-1', '--duration', '30m']);
    const mine = await cli.json<{ user_id: string }[]>(['time', 'list', '--user', 'me']);
    expect(mine.map((e) => e.user_id)).toEqual(['tester@example.com']);
  });
});
