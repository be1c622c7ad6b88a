import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { boundPm, pm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  dir = tempDir();
  cli = boundPm(dir);
  await cli.ok(['init']);
});

async function seed() {
  await cli.ok(['project', 'add', 'WEB', 'Website']);
  await cli.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14', '--status', 'active']);
  await cli.ok(['item', 'add', '--type', 'epic', 'Checkout']);
  await cli.ok(['item', 'add', '--type', 'story', 'Pay by card', '--parent', 'WEB-1', '--points', '5', '--sprint', 'Sprint 1']);
  await cli.ok(['item', 'add', '--type', 'task', 'Stripe keys', '--parent', 'WEB-2', '--assignee', 'me', '--status', 'todo']);
}

describe('pm init', () => {
  it('creates .pm with a gitignore that keeps the database out and the snapshot in', () => {
    const ignore = readFileSync(join(dir, '.pm', '.gitignore'), 'utf8');
    expect(ignore).toMatch(/^data\.db$/m);
    expect(ignore).toMatch(/^\*-wal$/m);
    expect(ignore).toMatch(/^secrets\.toml$/m);
    expect(ignore).not.toMatch(/^data\.json$/m);
    expect(existsSync(join(dir, '.pm', 'config.toml'))).toBe(true);
    expect(existsSync(join(dir, '.pm', 'data.db'))).toBe(true);
  });

  it('is safe to run twice', async () => {
    const again = await cli.ok(['init']);
    expect(again.stdout).toContain('already set up');
    const lanes = await cli.json<unknown[]>(['lane', 'list']);
    expect(lanes).toHaveLength(5);
  });

  it('finds .pm from a subdirectory, and PM_DIR overrides', async () => {
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    const { mkdirSync } = await import('node:fs');
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    const fromSub = await pm(['project', 'list', '--json'], { cwd: sub });
    expect(fromSub.json<{ key: string }[]>().map((p) => p.key)).toEqual(['WEB']);
    const elsewhere = tempDir();
    const viaEnv = await pm(['project', 'list', '--json'], { cwd: elsewhere, env: { PM_DIR: join(dir, '.pm') } });
    expect(viaEnv.json<{ key: string }[]>().map((p) => p.key)).toEqual(['WEB']);
  });
});

describe('errors', () => {
  it('without .pm/ says to run pm init, with exit code 6', async () => {
    const r = await pm(['item', 'list'], { cwd: tempDir() });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no \.pm\/ directory .* run pm init/);
  });

  it('names an unknown key (exit 3) and a bad id (exit 3)', async () => {
    await seed();
    const unknown = await cli.run(['item', 'show', 'WEB-42']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('work item "WEB-42" not found');
    const bad = await cli.run(['comment', 'edit', 'zzzz', 'x']);
    expect(bad.code).toBe(3);
    expect((await cli.run(['project', 'show', 'NOPE'])).code).toBe(3);
  });

  it('refuses a blocks cycle (exit 4)', async () => {
    await seed();
    await cli.ok(['dep', 'add', 'WEB-3', 'blocks', 'WEB-2']);
    const r = await cli.run(['dep', 'add', 'WEB-2', 'blocks', 'WEB-3']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('would make a cycle');
  });

  it('refuses a parent in another project (exit 4)', async () => {
    await seed();
    await cli.ok(['project', 'add', 'API', 'Api']);
    const r = await cli.run(['item', 'add', '--project', 'API', '--type', 'task', 'x', '--parent', 'WEB-1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('must be in the same project');
  });

  it('refuses a sprint that ends before it starts (exit 4)', async () => {
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    const r = await cli.run(['sprint', 'add', 'Bad', '--start', '2026-12-10', '--end', '2026-12-01']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ends (2026-12-01) before it starts (2026-12-10)');
  });

  it('refuses invalid enums naming the flag and the allowed values (exit 2)', async () => {
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    const r = await cli.run(['item', 'add', '--type', 'bug', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'-t, --type <type>' argument 'bug' is invalid. Allowed choices are epic, story, task.");
    const p = await cli.run(['item', 'add', '--type', 'task', 'x', '--priority', 'urgent']);
    expect(p.stderr).toContain(
      "'--priority <priority>' argument 'urgent' is invalid. Allowed choices are low, medium, high, critical.",
    );
    const d = await cli.run(['dep', 'add', 'WEB-1', 'blocker', 'WEB-2']);
    expect(d.code).toBe(2);
    const n = await cli.run(['item', 'add', '--type', 'task', 'x', '--points', 'lots']);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('--points: expected a whole number');
  });

  it('refuses invalid dependency types, token scopes and enum list filters, naming the flag and the allowed values (exit 2)', async () => {
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    const refused = async (args: string[], message: string) => {
      const r = await cli.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    };
    await refused(
      ['dep', 'add', 'WEB-1', 'blocker', 'WEB-2'],
      "value 'blocker' is invalid for argument 'type'. Allowed choices are blocks, relates_to.",
    );
    await refused(
      ['token', 'create', '--scope', 'admin'],
      "option '--scope <scope>' argument 'admin' is invalid. Allowed choices are read, write.",
    );
    await refused(
      ['item', 'list', '--type', 'bug'],
      "option '--type <type...>' argument 'bug' is invalid. Allowed choices are epic, story, task.",
    );
    await refused(
      ['item', 'list', '--priority', 'high,urgent'],
      'Allowed choices are low, medium, high, critical ("urgent" is not).',
    );
    await refused(['sprint', 'list', '--status', 'done'], 'Allowed choices are planned, active, completed, cancelled.');
    expect(
      await cli.json<unknown[]>(['item', 'list', '--type', 'task,story', '--priority', 'high', '--priority', 'low']),
    ).toEqual([]);
  });

  it('reports usage errors with exit code 2 and changes nothing', async () => {
    const r = await cli.run(['item', 'add']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'title'");
    expect((await cli.run(['frobnicate'])).code).toBe(2);
  });

  it('prints a stack only with PM_DEBUG=1', async () => {
    const quiet = await cli.run(['item', 'show', 'WEB-1']);
    expect(quiet.stderr).not.toContain('    at ');
    const loud = await cli.run(['item', 'show', 'WEB-1'], { PM_DEBUG: '1' });
    expect(loud.stderr).toContain('    at ');
  });
});

describe('commands', () => {
  it('project add | list | show | edit | rm', async () => {
    await cli.ok(['project', 'add', 'WEB', 'Website', '--description', 'the site']);
    await cli.ok(['project', 'add', 'API', 'Api']);
    expect((await cli.ok(['project', 'list'])).stdout).toMatch(/KEY\s+TITLE\s+STATUS\s+CREATED\nAPI\s+Api/);
    const shown = await cli.json<{ key: string; description: string }>(['project', 'show', 'web']);
    expect(shown).toMatchObject({ key: 'WEB', description: 'the site' });
    await cli.ok(['project', 'edit', 'API', '--status', 'archived', '--title', 'API v1']);
    expect((await cli.json<{ key: string }[]>(['project', 'list'])).map((p) => p.key)).toEqual(['WEB']);
    expect((await cli.json<{ key: string }[]>(['project', 'list', '--all'])).map((p) => p.key)).toEqual(['API', 'WEB']);
    await cli.ok(['project', 'rm', 'API']);
    expect(await cli.json<unknown[]>(['project', 'list', '--all'])).toHaveLength(1);
    expect((await cli.run(['project', 'edit', 'WEB', '--status', 'gone'])).code).toBe(2);
  });

  it('sprint add | list | show | edit | rm', async () => {
    await seed();
    await cli.ok(['sprint', 'add', 'Sprint 2', '--start', '2026-12-15', '--end', '2026-12-28', '--goal', 'Polish']);
    const sprints = await cli.json<{ name: string; status: string }[]>(['sprint', 'list']);
    expect(sprints.map((s) => s.name)).toEqual(['Sprint 1', 'Sprint 2']);
    const shown = await cli.json<{ name: string; items: { key: string }[] }>(['sprint', 'show', 'active']);
    expect(shown.items.map((i) => i.key)).toEqual(['WEB-2']);
    await cli.ok(['sprint', 'edit', 'Sprint 2', '--status', 'planned', '--goal', '']);
    expect((await cli.json<{ goal: string | null }>(['sprint', 'show', 'Sprint 2'])).goal).toBeNull();
    await cli.ok(['sprint', 'rm', 'Sprint 2']);
    expect(await cli.json<unknown[]>(['sprint', 'list', '--status', 'planned'])).toEqual([]);
  });

  it('lane add | list | edit | rm', async () => {
    await seed();
    await cli.ok(['lane', 'add', 'QA', '--status', 'qa', '--project', 'WEB', '--position', '4']);
    const lanes = await cli.json<{ status_value: string }[]>(['lane', 'list', '--project', 'WEB']);
    expect(lanes.map((l) => l.status_value)).toEqual(['backlog', 'todo', 'in_progress', 'qa', 'review', 'done']);
    await cli.ok(['lane', 'edit', 'qa', '--name', 'Quality']);
    expect((await cli.ok(['lane', 'list', '--project', 'WEB'])).stdout).toContain('Quality');
    await cli.ok(['lane', 'rm', 'qa']);
    expect(await cli.json<unknown[]>(['lane', 'list', '--project', 'WEB'])).toHaveLength(5);
  });

  it('item add | list | show | edit | move | rm', async () => {
    await seed();
    const list = await cli.ok(['item', 'list']);
    expect(list.stdout).toMatch(/^KEY\s+TYPE\s+STATUS/);
    expect(list.stdout).toContain('WEB-3  task   todo');
    const filtered = await cli.json<{ key: string }[]>(['item', 'list', '--status', 'todo', '--assignee', 'me']);
    expect(filtered.map((i) => i.key)).toEqual(['WEB-3']);
    const shown = await cli.json<{ key: string; parent: { key: string }; children: { key: string }[] }>([
      'item',
      'show',
      'WEB-2',
    ]);
    expect(shown.parent.key).toBe('WEB-1');
    expect(shown.children.map((c) => c.key)).toEqual(['WEB-3']);
    await cli.ok(['item', 'edit', 'WEB-3', '--title', 'Get Stripe keys', '--points', '2', '--priority', 'high']);
    await cli.ok(['item', 'edit', 'WEB-3', '--points', 'none', '--assignee', 'none']);
    const edited = await cli.json<{ title: string; story_points: null; assignee_id: null; version: number }>([
      'item',
      'show',
      'WEB-3',
    ]);
    expect(edited).toMatchObject({ title: 'Get Stripe keys', story_points: null, assignee_id: null, version: 3 });
    expect((await cli.run(['item', 'edit', 'WEB-3', '--title', 'x', '--if-version', '1'])).code).toBe(5);
    await cli.ok(['item', 'move', 'WEB-3', 'in_progress']);
    expect((await cli.json<{ status: string }>(['item', 'show', 'WEB-3'])).status).toBe('in_progress');
    await cli.ok(['item', 'edit', 'WEB-1', '--priority', 'critical']);
    const sorted = await cli.json<{ key: string }[]>(['item', 'list', '--sort', '-priority,-item_number']);
    expect(sorted.map((i) => i.key)).toEqual(['WEB-1', 'WEB-3', 'WEB-2']);
    const badSort = await cli.run(['item', 'list', '--sort', 'nope']);
    expect(badSort.code).toBe(2);
    expect(badSort.stderr).toContain('sort: cannot sort by "nope"');
    await cli.ok(['item', 'rm', 'WEB-3']);
    expect(await cli.json<unknown[]>(['item', 'list', '--all'])).toHaveLength(2);
    expect(await cli.json<unknown[]>(['item', 'list', '--all', '--deleted'])).toHaveLength(3);
  });

  it('comment add | list | edit | rm', async () => {
    await seed();
    const c = await cli.json<{ id: string }>(['comment', 'add', 'WEB-2', 'Needs keys']);
    expect((await cli.ok(['comment', 'list', 'WEB-2'])).stdout).toContain('Needs keys');
    await cli.ok(['comment', 'edit', c.id.slice(-12), 'Keys arrived']);
    expect((await cli.json<{ content: string }[]>(['comment', 'list', 'WEB-2']))[0]!.content).toBe('Keys arrived');
    await cli.ok(['comment', 'rm', c.id]);
    expect(await cli.json<unknown[]>(['comment', 'list', 'WEB-2'])).toEqual([]);
  });

  it('dep add | list | rm', async () => {
    await seed();
    const d = await cli.json<{ id: string; blocking_key: string }>(['dep', 'add', 'WEB-3', 'blocks', 'WEB-2']);
    expect(d.blocking_key).toBe('WEB-3');
    await cli.ok(['dep', 'add', 'WEB-1', 'relates_to', 'WEB-3']);
    expect(await cli.json<unknown[]>(['dep', 'list'])).toHaveLength(2);
    expect((await cli.ok(['dep', 'list', 'WEB-2'])).stdout).toMatch(/WEB-3\s+blocks\s+WEB-2/);
    await cli.ok(['dep', 'rm', d.id.slice(-12)]);
    expect(await cli.json<unknown[]>(['dep', 'list', 'WEB-2'])).toEqual([]);
  });

  it('time start | stop | add | list', async () => {
    await seed();
    await cli.ok(['time', 'start', 'WEB-3', '--description', 'coding']);
    expect((await cli.run(['time', 'start', 'WEB-2'])).code).toBe(5);
    expect((await cli.ok(['time', 'list'])).stdout).toContain('running');
    await cli.ok(['time', 'stop']);
    expect((await cli.run(['time', 'stop'])).code).toBe(5);
    await cli.ok(['time', 'add', 'WEB-3', '--duration', '1h30m']);
    const entries = await cli.json<{ duration_seconds: number; key: string }[]>(['time', 'list', 'WEB-3']);
    expect(entries).toHaveLength(2);
    expect(entries.find((e) => e.duration_seconds === 5400)).toMatchObject({ key: 'WEB-3' });
    expect((await cli.ok(['time', 'list', 'WEB-3'])).stdout).toContain('total 1h30m');
    const bad = await cli.run(['time', 'add', 'WEB-3', '--duration', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--duration: expected a duration like 1h30m');
  });

  it('time edit | rm', async () => {
    await seed();
    const added = await cli.json<{ id: string }>([
      'time',
      'add',
      'WEB-3',
      '--duration',
      '30m',
      '--started',
      '2026-11-20T09:00:00Z',
    ]);
    const id = added.id.slice(-12);
    const edited = await cli.ok(['time', 'edit', id, '--duration', '1h30m', '--description', 'review', '--if-version', '1']);
    expect(edited.stdout).toBe(`Updated time entry ${id} on WEB-3: 1h30m (version 2)\n`);
    const moved = await cli.json<{ started_at: string; ended_at: string; description: string | null }>([
      'time',
      'edit',
      added.id,
      '--started',
      '2026-11-20T13:00:00Z',
      '--description',
      '',
    ]);
    expect(moved).toMatchObject({
      started_at: '2026-11-20T13:00:00.000Z',
      ended_at: '2026-11-20T14:30:00.000Z',
      description: null,
    });
    const stale = await cli.run(['time', 'edit', id, '--duration', '2h', '--if-version', '2']);
    expect(stale.code).toBe(5);
    expect(stale.stderr).toContain('time entry is at version 3, not 2');
    expect((await cli.run(['time', 'edit', id, '--duration', 'soon'])).code).toBe(2);

    const running = await cli.json<{ id: string }>(['time', 'start', 'WEB-2']);
    const refused = await cli.run(['time', 'edit', running.id.slice(-12), '--duration', '1h']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('is a running timer: stop it with pm time stop before setting its duration');
    expect((await cli.ok(['time', 'edit', running.id.slice(-12), '--description', 'pairing'])).stdout).toContain(': running');

    expect((await cli.ok(['time', 'rm', running.id.slice(-12)])).stdout).toBe(
      `Deleted time entry ${running.id.slice(-12)} on WEB-2\n`,
    );
    expect((await cli.run(['time', 'stop'])).code).toBe(5);
    const removed = await cli.json<{ deleted_at: string | null }>(['time', 'rm', id]);
    expect(removed.deleted_at).not.toBeNull();
    expect(await cli.json<unknown[]>(['time', 'list'])).toEqual([]);
    expect((await cli.run(['time', 'rm', id])).code).toBe(3);
  });

  it('board shows lanes as columns and ready lists unblocked items', async () => {
    await seed();
    const board = await cli.ok(['board'], { COLUMNS: '120' });
    expect(board.stdout).toContain('Sprint 1 (active');
    expect(board.stdout).toMatch(/Backlog \(1, 5 pts\)\s+To do \(0\)/);
    const json = await cli.json<{ columns: { lane: { status_value: string }; items: { key: string }[] }[] }>(['board']);
    expect(json.columns.map((c) => c.lane.status_value)).toEqual(['backlog', 'todo', 'in_progress', 'review', 'done']);
    const narrow = await cli.ok(['board', '--sprint', 'none'].slice(0, 1), { COLUMNS: '40' });
    expect(narrow.stdout).toMatch(/^Backlog \(1, 5 pts\)\n {2}WEB-2 Pay by card$/m);
    await cli.ok(['dep', 'add', 'WEB-3', 'blocks', 'WEB-2']);
    expect((await cli.json<{ key: string }[]>(['ready'])).map((i) => i.key)).toEqual(['WEB-1', 'WEB-3']);
  });

  it('conflicts lists nothing on a fresh repository', async () => {
    expect(await cli.json<unknown[]>(['conflicts'])).toEqual([]);
  });

  it('every command has --help with an example', async () => {
    const groups: Record<string, string[]> = {
      project: ['add', 'list', 'show', 'edit', 'rm'],
      sprint: ['add', 'list', 'show', 'edit', 'rm', 'restore'],
      lane: ['add', 'list', 'edit', 'rm'],
      item: ['add', 'list', 'show', 'edit', 'move', 'rm', 'restore'],
      comment: ['add', 'list', 'edit', 'rm'],
      dep: ['add', 'list', 'rm'],
      time: ['start', 'stop', 'add', 'edit', 'rm', 'list'],
    };
    const commands = [
      ['init'],
      ['board'],
      ['ready'],
      ['restore'],
      ['conflicts'],
      ...Object.entries(groups).flatMap(([g, subs]) => subs.map((s) => [g, s])),
    ];
    for (const command of commands) {
      const r = await cli.run([...command, '--help']);
      expect(r.code, command.join(' ')).toBe(0);
      expect(r.stdout, command.join(' ')).toMatch(/Examples?:\n {2}\$ pm /);
    }
  });
});
