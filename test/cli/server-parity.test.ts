import { createServer, type AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conflict } from '../../src/domain/index.js';
import { boundPm, pm, type CliResult } from '../helpers/cli.js';
import { serveWorkspace } from '../helpers/server.js';
import { loadRecords } from '../helpers/snapshot.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

/** The same data through every kind of record: two projects, sprints, a lane, items in a hierarchy, and the rest. */
async function seed(cli: ReturnType<typeof boundPm>): Promise<void> {
  const steps = [
    ['init'],
    ['project', 'add', 'WEB', 'Website', '--description', 'The "new" site — ünïcode 🚀'],
    ['project', 'add', 'OPS', 'Operations'],
    ['sprint', 'add', 'Sprint 1', '--project', 'WEB', '--start', '2026-12-01', '--end', '2026-12-14', '--status', 'active'],
    ['sprint', 'add', 'Sprint 2', '--project', 'WEB', '--start', '2026-12-15', '--end', '2026-12-28', '--goal', 'Next'],
    ['lane', 'add', 'QA', '--status', 'qa', '--project', 'WEB'],
    ['item', 'add', '--project', 'WEB', '--type', 'epic', 'Checkout'],
    [
      'item',
      'add',
      '--project',
      'WEB',
      '--type',
      'story',
      'Pay by card',
      '--parent',
      'WEB-1',
      '--points',
      '5',
      '--sprint',
      'Sprint 1',
      '--assignee',
      'me',
    ],
    [
      'item',
      'add',
      '--project',
      'WEB',
      '--type',
      'task',
      'Card form',
      '--parent',
      'WEB-2',
      '--status',
      'todo',
      '--priority',
      'high',
    ],
    ['item', 'add', '--project', 'WEB', '--type', 'task', 'Done thing', '--status', 'done', '--sprint', 'Sprint 2'],
    ['item', 'add', '--project', 'WEB', '--type', 'task', 'Gone'],
    ['item', 'rm', 'WEB-5'],
    ['item', 'add', '--project', 'OPS', '--type', 'task', 'Rotate keys', '--status', 'todo'],
    ['item', 'edit', 'WEB-3', '--title', 'Card form v2', '--description', 'with "quotes", \\ and a\nnewline'],
    ['item', 'move', 'WEB-3', 'in_progress', '--position', '1'],
    ['dep', 'add', 'WEB-3', 'blocks', 'WEB-2'],
    ['dep', 'add', 'WEB-1', 'relates_to', 'WEB-4'],
    ['comment', 'add', 'WEB-2', 'Use hosted fields'],
    ['comment', 'add', 'WEB-2', 'Second thought'],
    ['time', 'add', 'WEB-3', '--duration', '1h30m', '--description', 'review'],
    ['time', 'start', 'WEB-2'],
    ['project', 'edit', 'OPS', '--status', 'archived'],
  ];
  for (const step of steps) await cli.ok(step);
}

const READS: string[][] = [
  ['project', 'list'],
  ['project', 'list', '--all'],
  ['project', 'show', 'WEB'],
  ['project', 'show', 'ops'],
  ['sprint', 'list'],
  ['sprint', 'list', '--project', 'WEB', '--status', 'active,planned'],
  ['sprint', 'show', 'Sprint 1'],
  ['sprint', 'show', 'active', '--project', 'WEB'],
  ['lane', 'list'],
  ['lane', 'list', '--project', 'WEB'],
  ['item', 'list'],
  ['item', 'list', '--all', '--deleted'],
  ['item', 'list', '--project', 'WEB', '--status', 'todo,in_progress'],
  ['item', 'list', '--type', 'task', '--assignee', 'me'],
  ['item', 'list', '--assignee', 'me'],
  ['item', 'list', '--parent', 'WEB-1'],
  ['item', 'list', '--parent', 'none', '--all'],
  ['item', 'list', '--sprint', 'Sprint 1'],
  ['item', 'list', '--sprint', 'none'],
  ['item', 'list', '--search', 'CARD'],
  ['item', 'list', '--priority', 'high,medium'],
  ['item', 'list', '--all', '--limit', '2', '--offset', '1'],
  ['item', 'list', '--all', '--deleted', '--sort', '-priority,title'],
  ['item', 'list', '--all', '--sort', 'story_points', '--limit', '2', '--offset', '1'],
  ['item', 'list', '--all', '--sort', '-key,status'],
  ['ready', '--assignee', 'me'],
  ['ready', '--sprint', 'none', '--assignee', 'none'],
  ['item', 'show', 'WEB-1'],
  ['item', 'show', 'WEB-2'],
  ['item', 'show', 'web-3'],
  ['comment', 'list', 'WEB-2'],
  ['dep', 'list'],
  ['dep', 'list', 'WEB-3'],
  ['time', 'list'],
  ['time', 'list', 'WEB-3'],
  ['time', 'list', '--user', 'tester@example.com'],
  ['board', '--project', 'WEB'],
  ['board', '--project', 'WEB', '--sprint', 'Sprint 2'],
  ['board', '--project', 'OPS'],
  ['ready'],
  ['ready', '--project', 'WEB', '--limit', '1'],
  ['conflicts'],
  ['conflicts', '--all'],
  ['conflicts', '--record', 'WEB-1'],
];

/** Commands that fail: the message and exit code must be the same too. */
const FAILURES: string[][] = [
  ['item', 'show', 'WEB-99'],
  ['item', 'show', 'NOPE-1'],
  ['project', 'show', 'NOPE'],
  ['sprint', 'show', 'Sprint 9'],
  ['item', 'list', '--status', 'Not A Status'],
  ['item', 'list', '--sprint', 'Sprint 9'],
  ['comment', 'list', 'WEB-99'],
  ['dep', 'list', 'abcdef0123'],
  ['board'],
  ['item', 'edit', 'WEB-2', '--title', 'Stale', '--if-version', '99'],
  ['item', 'add', '--project', 'OPS', '--type', 'task', 'Cross', '--parent', 'WEB-1'],
  ['dep', 'add', 'WEB-2', 'blocks', 'WEB-3'],
  ['sprint', 'add', 'Backwards', '--project', 'WEB', '--start', '2026-12-10', '--end', '2026-12-01'],
  ['time', 'start', 'WEB-3'],
  ['lane', 'rm', 'todo'],
  ['item', 'list', '--sort', 'rank'],
  ['item', 'list', '--status', 'nonesuch'],
  ['ready', '--sprint', 'Sprint 9'],
  ['time', 'rm', 'abcdef0123'],
];

function same(local: CliResult, remote: CliResult, args: readonly string[]): void {
  expect({ code: remote.code, stdout: remote.stdout, stderr: remote.stderr }, args.join(' ')).toEqual({
    code: local.code,
    stdout: local.stdout,
    stderr: local.stderr,
  });
}

describe.each(DIALECTS)('pm --server on %s prints what pm prints on the database', (dialect) => {
  let cwd: string;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    cwd = tempDir();
    env = dialect === 'postgres' ? { PM_DATABASE_URL: postgresUrl() } : {};
    await seed(boundPm(cwd, env));
    const server = await serveWorkspace(cwd, env.PM_DATABASE_URL ? { database: env.PM_DATABASE_URL } : {});
    url = server.url;
    const item = (await boundPm(cwd, env).json<{ id: string }>(['item', 'show', 'WEB-1'])).id;
    const at = '2026-11-21T10:00:00.000Z';
    const conflict: Conflict = {
      id: '0192f0c4-7a3e-7b21-9c4d-5e6f7a8b9c0d',
      entity_type: 'work_items',
      record_id: item,
      field: 'title',
      ours_value: 'Checkout',
      theirs_value: 'Check-out',
      winner: 'ours',
      reason: 'both written at the same time: the larger value is kept',
      detected_at: at,
      resolution: null,
      resolved_value: null,
      version: 1,
      created_by: 'pm',
      updated_by: 'pm',
      created_at: at,
      updated_at: at,
      deleted_at: null,
      field_updated_at: {},
    };
    await loadRecords(server.store, { conflicts: [conflict] });
  });

  it.each(READS.map((args) => [args.join(' '), args]))('%s --json', async (_name, args) => {
    const local = await pm([...args, '--json'], { cwd, env });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout.length).toBeGreaterThan(2);
    same(local, await pm(['--server', url, ...args, '--json'], { cwd, env }), args);
  });

  it.each(FAILURES.map((args) => [args.join(' '), args]))('%s fails the same way', async (_name, args) => {
    const local = await pm(args, { cwd, env });
    expect(local.code).not.toBe(0);
    expect(local.code).not.toBe(1);
    same(local, await pm(['--server', url, ...args], { cwd, env }), args);
  });

  it('time edit fails the same way on a stale --if-version and on a running timer', async () => {
    const entries = await boundPm(cwd, env).json<{ id: string; ended_at: string | null }[]>(['time', 'list']);
    const done = entries.find((e) => e.ended_at !== null)!.id.slice(-12);
    const running = entries.find((e) => e.ended_at === null)!.id.slice(-12);
    for (const args of [
      ['time', 'edit', done, '--duration', '2h', '--if-version', '9'],
      ['time', 'edit', running, '--duration', '2h'],
      ['time', 'edit', done, '--started', 'someday'],
    ]) {
      const local = await pm(args, { cwd, env });
      expect(local.code, local.stderr).toBeGreaterThan(1);
      same(local, await pm(['--server', url, ...args], { cwd, env }), args);
    }
  });

  it('prints the same tables', async () => {
    for (const args of [
      ['item', 'list', '--all'],
      ['dep', 'list'],
      ['lane', 'list', '--project', 'WEB'],
      ['board', '--project', 'WEB'],
    ]) {
      same(await pm(args, { cwd, env }), await pm(['--server', url, ...args], { cwd, env }), args);
    }
  });

  it('works from a directory without .pm/, and with PM_SERVER instead of --server', async () => {
    const elsewhere = tempDir();
    const local = await pm(['item', 'show', 'WEB-2', '--json'], { cwd, env });
    same(local, await pm(['item', 'show', 'WEB-2', '--json'], { cwd: elsewhere, env: { PM_SERVER: url } }), ['PM_SERVER']);
  });
});

/** A URL nothing listens on: a port the OS just handed out and took back. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Stands for what differs between two replicas doing the same thing: ids and times. */
function normalized(r: CliResult): CliResult {
  const clean = (s: string) =>
    s
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/\b[0-9a-f]{12}\b/g, '<short-id>')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>')
      .replace(/at \d{2}:\d{2} UTC/g, 'at <hh:mm> UTC')
      .replace(/"duration_seconds": \d+/g, '"duration_seconds": <n>');
  return { ...r, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

describe('changes through pm --server', () => {
  it('print what the same changes print locally, on two identical repositories', async () => {
    const localDir = tempDir();
    const remoteDir = tempDir();
    await seed(boundPm(localDir));
    await seed(boundPm(remoteDir));
    const server = await serveWorkspace(remoteDir);
    const ids = { local: new Map<string, string>(), remote: new Map<string, string>() };
    const steps: ((side: 'local' | 'remote') => string[])[] = [
      () => ['project', 'add', 'NEW', 'Brand new'],
      () => ['project', 'edit', 'NEW', '--title', 'Renamed', '--if-version', '1'],
      () => ['sprint', 'add', 'Sprint 3', '--project', 'WEB', '--start', '2027-01-01', '--end', '2027-01-14'],
      () => ['sprint', 'edit', 'Sprint 3', '--status', 'active', '--goal', ''],
      () => ['lane', 'add', 'Blocked', '--status', 'blocked', '--position', '3'],
      () => ['lane', 'edit', 'blocked', '--name', 'On hold'],
      () => ['item', 'add', '--project', 'WEB', '--type', 'task', 'Fresh', '--priority', 'critical', '--points', '3'],
      () => ['item', 'edit', 'WEB-6', '--points', 'none', '--assignee', 'me', '--sprint', 'Sprint 3'],
      () => ['item', 'move', 'WEB-6', 'review'],
      () => ['comment', 'add', 'WEB-6', 'A comment'],
      (side) => ['comment', 'edit', ids[side].get('comment')!, 'Edited'],
      (side) => ['comment', 'rm', ids[side].get('comment')!],
      () => ['dep', 'add', 'WEB-6', 'blocks', 'WEB-4'],
      (side) => ['dep', 'rm', ids[side].get('dep')!],
      () => ['time', 'stop'],
      () => ['time', 'add', 'WEB-6', '--duration', '45m', '--started', '2026-12-02T09:00:00Z'],
      (side) => ['time', 'edit', ids[side].get('time')!, '--duration', '1h', '--description', 'review', '--if-version', '1'],
      (side) => ['time', 'edit', ids[side].get('time')!, '--started', '2026-12-02T08:00:00Z', '--description', ''],
      (side) => ['time', 'rm', ids[side].get('time')!],
      () => ['item', 'rm', 'WEB-6'],
      () => ['restore', 'WEB-6'],
      () => ['item', 'rm', 'WEB-6'],
      () => ['lane', 'rm', 'blocked'],
      () => ['sprint', 'rm', 'Sprint 3'],
      () => ['sprint', 'restore', 'Sprint 3'],
      () => ['sprint', 'rm', 'Sprint 3'],
      () => ['project', 'rm', 'NEW'],
    ];
    for (const step of steps) {
      const local = await pm([...step('local'), '--json'], { cwd: localDir });
      const remote = await pm(['--server', server.url, ...step('remote'), '--json'], { cwd: remoteDir });
      expect(local.code, `${step('local').join(' ')}: ${local.stderr}`).toBe(0);
      same(normalized(local), normalized(remote), step('local'));
      for (const [side, result] of [
        ['local', local],
        ['remote', remote],
      ] as const) {
        const id = result.json<{ id?: string }>().id;
        if (step('local')[0] === 'comment' && step('local')[1] === 'add') ids[side].set('comment', id!);
        if (step('local')[0] === 'dep' && step('local')[1] === 'add') ids[side].set('dep', id!);
        if (step('local')[0] === 'time' && step('local')[1] === 'add') ids[side].set('time', id!);
      }
    }
  });

  it('refuses an explicit --server on commands that work on the local .pm/', async () => {
    const cwd = tempDir();
    await boundPm(cwd).ok(['init']);
    const nowhere = await closedPortUrl();
    const r = await pm(['--server', nowhere, 'sync', 'export'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--server: this command works on the local .pm/ directory');
    expect((await pm(['sync', 'export'], { cwd, env: { PM_SERVER: nowhere } })).code).toBe(0);
  });

  it('says when the server cannot be reached, with exit code 9', async () => {
    const nowhere = await closedPortUrl();
    const r = await pm(['--server', nowhere, 'item', 'list'], { cwd: tempDir() });
    expect(r.code).toBe(9);
    expect(r.stderr).toBe(`error: cannot reach the pm server at ${nowhere}: ECONNREFUSED\n`);
  });

  it('refuses a server URL that is not http(s) or carries credentials, with exit code 2', async () => {
    for (const url of ['ftp://example.com', 'not a url', 'http://user:secret@127.0.0.1:4400']) {
      const r = await pm(['--server', url, 'item', 'list'], { cwd: tempDir() });
      expect(r.code, url).toBe(2);
      expect(r.stderr).not.toContain('secret');
    }
  });
});
