import { spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../../src/domain/index.js';
import { PM_BIN, boundPm, testEnv } from '../../helpers/cli.js';
import type { FaultProxy } from '../../helpers/fault-proxy.js';
import { tempDir } from '../../helpers/temp.js';

/**
 * `pm connect KIND …` then `pm sync run`, end to end against a tracker served over HTTP (a
 * spec-checked fake behind a fault proxy): the CLI talks to it as it would to the real service.
 * One suite for every tracker that runs as a fake; Redmine has its own against the real server.
 */

export interface RemoteItem {
  id: string;
  title: string;
  description: string;
  pmId: string | null;
  parentId: string | null;
}

/** A tracker served over HTTP, and the remote side as its other users see and change it. */
export interface TrackerPeer {
  kind: string;
  /** What `pm connect` takes as --project. */
  project: string;
  secret: string;
  /** A fault proxy in front of the tracker. */
  faults: FaultProxy;
  /** Where pm connects (through the proxy), when not the proxy's own address. */
  url?: string;
  /** The requests that create a work item. */
  creates: { method: string; path: RegExp };
  /** Whether the tracker has time entries. */
  timeEntries: boolean;
  items(): RemoteItem[];
  comments(itemId: string): string[];
  dependencies(): { blocking: string; blocked: string; type: 'blocks' | 'relates' }[];
  timeLogged(): { itemId: string; hours: number }[];
  sprints(): string[];
  addItem(title: string): string;
  edit(id: string, change: { title?: string; description?: string }): void;
  removeItem(id: string): void;
  /** What the fake refused or answered outside its specification; tests expect none. */
  violations(): string[];
}

type Detail = { run: SyncRun; items: SyncRunItem[] };

interface Fixture {
  peer: TrackerPeer;
  pm: ReturnType<typeof boundPm>;
  dir: string;
  env: Record<string, string>;
}

function keyVariable(kind: string): string {
  return `PM_${kind.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

export function runTrackerSyncCases(title: string, open: () => Promise<TrackerPeer>): void {
  const peers: TrackerPeer[] = [];
  afterEach(() => {
    for (const peer of peers.splice(0)) expect(peer.violations()).toEqual([]);
  });

  async function fixture(connect: string[] = []): Promise<Fixture> {
    const peer = await open();
    peers.push(peer);
    const dir = tempDir('pm-sync-');
    const env = { [keyVariable(peer.kind)]: peer.secret };
    const pm = boundPm(dir, env);
    await pm.ok(['init']);
    await pm.ok(['project', 'add', 'WEB', 'Website']);
    const url = peer.url ?? peer.faults.url;
    await pm.ok(['connect', peer.kind, '--url', url, '--project', peer.project, '--timeout', '2000', ...connect]);
    return { peer, pm, dir, env };
  }

  async function run(f: Fixture, ...args: string[]): Promise<Detail> {
    const result = await f.pm.run(['sync', 'run', ...args, '--json']);
    if (result.code !== 0 && result.code !== 9) throw new Error(`pm sync run failed (${result.code}): ${result.stderr}`);
    return result.json<Detail>();
  }

  const operations = (detail: Detail) =>
    detail.items
      .filter((i) => (i.status === 'done' || i.status === 'planned') && i.operation !== 'conflict')
      .map((i) => `${i.entity_type} ${i.direction} ${i.operation}`)
      .sort();

  const items = (f: Fixture) =>
    f.pm.json<{ key: string; id: string; title: string; description: string | null; deleted_at: string | null }[]>([
      'item',
      'list',
      '--all',
      '--deleted',
    ]);

  function expectNoDuplicates(f: Fixture, count: number): void {
    const remote = f.peer.items();
    expect(new Set(remote.map((i) => i.pmId)).size).toBe(remote.length);
    expect(remote).toHaveLength(count);
  }

  describe(`pm sync run with ${title}`, () => {
    test('pm connect --check, then a first run pushes sprints, the item tree, comments, dependencies and time; the next changes nothing', async () => {
      const f = await fixture();
      const check = await f.pm.json<{ check: { account: string; notes: string[] } }>(['connect', '--check']);
      expect(check.check.notes).toEqual([]);
      await f.pm.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-11-02', '--end', '2026-11-13', '--goal', 'first slice']);
      await f.pm.ok(['item', 'add', '--type', 'epic', 'Checkout']);
      await f.pm.ok(['item', 'add', '--type', 'story', 'Pay by card', '--parent', 'WEB-1', '--sprint', 'Sprint 1']);
      await f.pm.ok(['item', 'add', '--type', 'task', 'Card form', '--parent', 'WEB-2', '--description', 'Fields']);
      await f.pm.ok(['comment', 'add', 'WEB-3', 'Use hosted fields']);
      await f.pm.ok(['dep', 'add', 'WEB-3', 'blocks', 'WEB-2']);
      await f.pm.ok(['time', 'add', 'WEB-3', '--duration', '1h30m']);

      const first = await run(f);
      expect(first.run.status).toBe('completed');
      const local = await items(f);
      const remote = f.peer.items();
      const remoteOf = (key: string) => remote.find((r) => r.pmId === local.find((l) => l.key === key)!.id)!;
      expect(remote.map((r) => r.title).sort()).toEqual(['Card form', 'Checkout', 'Pay by card']);
      expect(remoteOf('WEB-2').parentId).toBe(remoteOf('WEB-1').id);
      expect(remoteOf('WEB-3')).toMatchObject({ parentId: remoteOf('WEB-2').id, description: 'Fields' });
      expect(f.peer.sprints()).toEqual(['Sprint 1']);
      expect(f.peer.comments(remoteOf('WEB-3').id)).toEqual(['Use hosted fields']);
      expect(f.peer.dependencies()).toEqual([{ blocking: remoteOf('WEB-3').id, blocked: remoteOf('WEB-2').id, type: 'blocks' }]);
      if (f.peer.timeEntries) expect(f.peer.timeLogged()).toEqual([{ itemId: remoteOf('WEB-3').id, hours: 1.5 }]);
      else expect(first.run.counters.time_entries).toBeUndefined();

      expect(operations(await run(f))).toEqual([]);
      expect(operations(await run(f, '--mode', 'full'))).toEqual([]);
    });

    test('edits to different fields on each side merge; the same field follows the strategy and waits in pm conflicts', async () => {
      const f = await fixture();
      await f.pm.ok(['item', 'add', '--type', 'task', 'Original', '--description', 'Plain']);
      await f.pm.ok(['item', 'add', '--type', 'task', 'Contested']);
      await run(f);
      const [original, contested] = ['Original', 'Contested'].map((t) => f.peer.items().find((i) => i.title === t)!);

      await f.pm.ok(['item', 'edit', 'WEB-1', '--title', 'Original (ours)']);
      f.peer.edit(original!.id, { description: 'Theirs' });
      await f.pm.ok(['item', 'edit', 'WEB-2', '--title', 'Contested (ours)']);
      f.peer.edit(contested!.id, { title: 'Contested (theirs)' });
      const merged = await run(f);
      expect(merged.run.status).toBe('completed');

      const local = await items(f);
      expect(local.find((i) => i.key === 'WEB-1')).toMatchObject({ title: 'Original (ours)', description: 'Theirs' });
      expect(f.peer.items().find((i) => i.id === original!.id)).toMatchObject({
        title: 'Original (ours)',
        description: 'Theirs',
      });
      // manual: each side keeps its value until a person decides.
      expect(local.find((i) => i.key === 'WEB-2')!.title).toBe('Contested (ours)');
      expect(f.peer.items().find((i) => i.id === contested!.id)!.title).toBe('Contested (theirs)');
      const conflicts = await f.pm.json<{ id: string; field: string; theirs_value: string }[]>(['conflicts']);
      expect(conflicts).toMatchObject([{ field: 'title', theirs_value: 'Contested (theirs)' }]);
      await f.pm.ok(['conflicts', 'resolve', conflicts[0]!.id, '--take', 'theirs']);
      await run(f);
      expect((await items(f)).find((i) => i.key === 'WEB-2')!.title).toBe('Contested (theirs)');
      expect(f.peer.items().find((i) => i.id === contested!.id)!.title).toBe('Contested (theirs)');
      expect(operations(await run(f))).toEqual([]);
    });

    test('items made on the tracker come in; deletions travel both ways, the remote ones found by a full run', async () => {
      const f = await fixture();
      await f.pm.ok(['item', 'add', '--type', 'task', 'Deleted here']);
      await f.pm.ok(['item', 'add', '--type', 'task', 'Deleted there']);
      await f.pm.ok(['item', 'add', '--type', 'task', 'Kept']);
      await run(f);
      f.peer.addItem('Made there');
      const there = f.peer.items().find((i) => i.title === 'Deleted there')!;

      await f.pm.ok(['item', 'rm', 'WEB-1']);
      f.peer.removeItem(there.id);
      const incremental = await run(f);
      expect(operations(incremental)).toEqual(['work_items pull create', 'work_items push delete']);
      // Absence from an incremental listing is not a deletion.
      expect((await items(f)).find((i) => i.title === 'Deleted there')!.deleted_at).toBeNull();

      const full = await run(f, '--mode', 'full');
      expect(operations(full)).toEqual(['work_items pull delete']);
      const local = await items(f);
      expect(local.find((i) => i.title === 'Deleted there')!.deleted_at).not.toBeNull();
      expect(
        local
          .filter((i) => i.deleted_at === null)
          .map((i) => i.title)
          .sort(),
      ).toEqual(['Kept', 'Made there']);
      expect(
        f.peer
          .items()
          .map((i) => i.title)
          .sort(),
      ).toEqual(['Kept', 'Made there']);
    });

    test('a 429 waits as long as asked; a 500 after the create and a timeout are retried without duplicates', async () => {
      const f = await fixture(['--workers', '1']);
      for (let i = 1; i <= 4; i++) await f.pm.ok(['item', 'add', '--type', 'task', `Task ${i}`]);
      const { method, path } = f.peer.creates;
      f.peer.faults.inject({ method, path, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });
      f.peer.faults.inject({ method, path, fault: { kind: 'fail-after-forward', status: 500 } });
      f.peer.faults.inject({ method, path, fault: { kind: 'hang-after-forward' } });
      f.peer.faults.inject({ method: 'GET', fault: { kind: 'status', status: 503 } });

      const detail = await run(f);
      expect(detail.run.status).toBe('completed');
      const posts = f.peer.faults.requests(method, path);
      const created = posts.at(-1)!.status;
      expect([200, 201]).toContain(created);
      expect(posts.map((p) => p.status)).toEqual([429, 500, 'hung', created, created]);
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1000);
      expectNoDuplicates(f, 4);
      expect(operations(await run(f))).toEqual([]);
    });

    test('SIGKILL in the middle of a push: the run is failed, not left running, and the next run makes no duplicates', async () => {
      const f = await fixture();
      for (let i = 1; i <= 40; i++) await f.pm.ok(['item', 'add', '--type', 'task', `Task ${i}`]);
      const child = spawn(process.execPath, [PM_BIN, 'sync', 'run'], { cwd: f.dir, env: testEnv(f.env) });
      let creates = 0;
      const killed = new Promise<void>((resolve) => {
        f.peer.faults.onRequest = (entry) => {
          if (entry.method === f.peer.creates.method && f.peer.creates.path.test(entry.path) && ++creates === 12) {
            child.kill('SIGKILL');
            resolve();
          }
        };
      });
      await killed;
      await new Promise((resolve) => child.on('close', resolve));
      f.peer.faults.onRequest = undefined;
      const between = f.peer.items().length;
      expect(between).toBeGreaterThanOrEqual(11);
      expect(between).toBeLessThan(40);

      const runs = await f.pm.json<{ runs: SyncRun[] }>(['sync', 'runs']);
      expect(runs.runs[0]).toMatchObject({ status: 'failed' });
      expect(runs.runs[0]!.error).toMatch(/interrupted/);

      const next = await run(f);
      expect(next.run.status).toBe('completed');
      const { create = 0, link = 0 } = next.run.counters.work_items!;
      expect(create + link).toBe(40);
      expectNoDuplicates(f, 40);
      expect(operations(await run(f))).toEqual([]);
    });
  });
}
