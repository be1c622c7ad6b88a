import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../../src/domain/index.js';
import { postgresUrl } from '../../helpers/stores.js';
import { FaultProxy } from '../../helpers/fault-proxy.js';
import { RedmineApi, redminePeer, syncFixture, type SyncFixture } from '../../helpers/redmine.js';

/** End to end against the real Redmine: pm's CLI on one side, Redmine's REST API on the other. */

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

interface Item {
  id: string;
  key: string;
  title: string;
  status: string;
  priority: string;
  item_type: string;
  parent_id: string | null;
  sprint_id: string | null;
  deleted_at: string | null;
}

type Detail = { run: SyncRun; items: SyncRunItem[] };

async function run(f: SyncFixture, ...args: string[]): Promise<Detail> {
  const result = await f.pm.run(['sync', 'run', ...args, '--json']);
  if (result.code !== 0 && result.code !== 9) throw new Error(`pm sync run failed (${result.code}): ${result.stderr}`);
  return result.json<Detail>();
}

async function items(f: SyncFixture, ...args: string[]): Promise<Item[]> {
  return f.pm.json<Item[]>(['item', 'list', '--all', ...args]);
}

const byTitle = async (f: SyncFixture, title: string) => (await items(f, '--deleted')).find((i) => i.title === title);

/** Operations a run did, as `type op` strings, sorted: what changed and nothing else. */
function operations(detail: Detail): string[] {
  return detail.items
    .filter((i) => (i.status === 'done' || i.status === 'planned') && i.operation !== 'conflict')
    .map((i) => `${i.entity_type} ${i.direction} ${i.operation}`)
    .sort();
}

async function plan(f: SyncFixture): Promise<void> {
  await f.pm.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-11-02', '--end', '2026-11-13', '--goal', 'first slice']);
  await f.pm.ok(['item', 'add', '--type', 'epic', 'Checkout']);
  await f.pm.ok(['item', 'add', '--type', 'story', 'Pay by card', '--parent', 'WEB-1', '--priority', 'high']);
  await f.pm.ok([
    'item',
    'add',
    '--type',
    'task',
    'Card form',
    '--parent',
    'WEB-2',
    '--sprint',
    'Sprint 1',
    '--description',
    'Fields and validation',
  ]);
  await f.pm.ok(['item', 'add', '--type', 'task', 'Card API', '--parent', 'WEB-2', '--status', 'in_progress']);
  await f.pm.ok(['item', 'add', '--type', 'story', 'Receipts']);
  await f.pm.ok(['comment', 'add', 'WEB-3', 'Use the design system inputs']);
  await f.pm.ok(['dep', 'add', 'WEB-4', 'blocks', 'WEB-3']);
  await f.pm.ok(['dep', 'add', 'WEB-5', 'relates_to', 'WEB-3']);
  await f.pm.ok(['time', 'add', 'WEB-3', '--duration', '1h30m', '--description', 'layout']);
}

describe.each([
  ['SQLite', undefined],
  ['PostgreSQL', 'postgres'],
] as const)('sync with Redmine on %s', (_name, dialect) => {
  test('a first run pushes epics, stories, tasks, sprints, comments, dependencies and time entries', async () => {
    const f = await syncFixture(dialect ? { env: { PM_DATABASE_URL: postgresUrl() } } : {});
    await plan(f);

    const first = await run(f);
    expect(first.run.status).toBe('completed');
    expect(first.run.counters).toMatchObject({
      sprints: { create: 1 },
      work_items: { create: 5 },
      comments: { create: 1 },
      dependencies: { create: 2 },
      time_entries: { create: 1 },
    });

    const local = await items(f);
    const issues = await f.api.issues(f.project);
    expect(issues).toHaveLength(5);
    const issueOf = (key: string) => issues.find((i) => RedmineApi.pmId(i) === local.find((l) => l.key === key)!.id)!;
    expect(issueOf('WEB-1')).toMatchObject({ subject: 'Checkout', tracker: { name: 'Feature' } });
    expect(issueOf('WEB-2')).toMatchObject({
      subject: 'Pay by card',
      tracker: { name: 'Support' },
      parent: { id: issueOf('WEB-1').id },
    });
    expect(issueOf('WEB-3')).toMatchObject({
      subject: 'Card form',
      description: 'Fields and validation',
      tracker: { name: 'Bug' },
      parent: { id: issueOf('WEB-2').id },
      fixed_version: { name: 'Sprint 1' },
    });
    expect(issueOf('WEB-4')).toMatchObject({ subject: 'Card API', status: { name: 'In Progress' } });

    const versions = await f.api.versions(f.project);
    expect(versions).toMatchObject([{ name: 'Sprint 1', status: 'open' }]);

    const formIssue = (await f.api.issue(issueOf('WEB-3').id))!;
    expect(formIssue.journals!.map((j) => j.notes).filter(Boolean)).toEqual(['Use the design system inputs']);
    const relations = formIssue.relations!.map((r) => `${r.issue_id} ${r.relation_type} ${r.issue_to_id}`).sort();
    expect(relations).toEqual(
      [
        `${issueOf('WEB-4').id} blocks ${issueOf('WEB-3').id}`,
        `${Math.min(issueOf('WEB-3').id, issueOf('WEB-5').id)} relates ${Math.max(issueOf('WEB-3').id, issueOf('WEB-5').id)}`,
      ].sort(),
    );

    const [entry] = await f.api.timeEntries(f.project);
    expect(entry).toMatchObject({ hours: 1.5, comments: 'layout', issue: { id: issueOf('WEB-3').id } });
    expect(RedmineApi.pmId(entry!)).toMatch(/^[0-9a-f-]{36}$/);

    // Nothing changed since: the next run writes nothing on either side.
    const before = JSON.stringify(await f.api.issues(f.project));
    const second = await run(f);
    expect(second.run.status).toBe('completed');
    expect(operations(second)).toEqual([]);
    expect(JSON.stringify(await f.api.issues(f.project))).toBe(before);
  });
});

describe('sync with Redmine', () => {
  test('a first run into an empty project does not read back in full the issues it just created', async () => {
    // Redmine on puma sends no Date header, so the catch-up after the push must find its cursor from
    // the timestamps of the writes themselves, or it lists and reads every issue again.
    const proxy = await FaultProxy.start(redminePeer().url);
    const f = await syncFixture({ url: proxy.url });
    await f.pm.ok(['item', 'add', '--type', 'epic', 'Checkout']);
    await f.pm.ok(['item', 'add', '--type', 'task', 'Card form', '--parent', 'WEB-1']);
    await f.pm.ok(['item', 'add', '--type', 'story', 'Receipts']);

    const first = await run(f);
    expect(first.run.counters).toMatchObject({ work_items: { create: 3 } });
    const issues = await f.api.issues(f.project);
    const idOf = (title: string) => issues.find((i) => i.subject === title)!.id;
    const readInFull = (id: number) => proxy.requests('GET', new RegExp(`^/issues/${id}\\.json\\?include=journals`)).length;
    // The epic changed on Redmine when its child arrived (it is read again); the others did not.
    expect(readInFull(idOf('Card form'))).toBe(0);
    expect(readInFull(idOf('Receipts'))).toBe(0);

    // The next run lists nothing as changed. (It may read these again: they carry the latest
    // stamp, and a change within that second would keep it.)
    expect(operations(await run(f))).toEqual([]);
  });

  test('edits on each side reach the other in one incremental run, and do not come back', async () => {
    const f = await syncFixture();
    await plan(f);
    await run(f);
    // Redmine derives a parent's priority from its children: settle that first.
    await run(f);
    const local = await items(f);
    const issues = await f.api.issues(f.project);
    const issueOf = (key: string) => issues.find((i) => RedmineApi.pmId(i) === local.find((l) => l.key === key)!.id)!;

    await f.pm.ok(['item', 'edit', 'WEB-3', '--title', 'Card form (v2)']);
    await f.pm.ok(['comment', 'add', 'WEB-4', 'Needs the new token endpoint']);
    await f.api.updateIssue(issueOf('WEB-4').id, { subject: 'Card API (Stripe)', status_id: 3 });
    await f.api.updateIssue(issueOf('WEB-5').id, { notes: 'Email them as PDF' });
    const fresh = await f.api.createIssue(f.project, { subject: 'Refunds', tracker_id: 2 });

    const detail = await run(f);
    expect(detail.run.status).toBe('completed');
    expect(detail.run.mode).toBe('incremental');

    const after = await items(f);
    expect(after.find((i) => i.key === 'WEB-4')).toMatchObject({ title: 'Card API (Stripe)' });
    expect(after.find((i) => i.title === 'Refunds')).toMatchObject({ item_type: 'epic' });
    const receipts = await f.pm.json<{ comments: { content: string }[] }>(['item', 'show', 'WEB-5']);
    expect(receipts.comments.map((c) => c.content)).toEqual(['Email them as PDF']);

    expect((await f.api.issue(issueOf('WEB-3').id))!.subject).toBe('Card form (v2)');
    const api = (await f.api.issue(issueOf('WEB-4').id))!;
    expect(api.journals!.map((j) => j.notes)).toContain('Needs the new token endpoint');
    expect(RedmineApi.pmId((await f.api.issue(fresh.id))!)).toBeNull(); // pm does not rewrite issues it only pulled

    // The pushed edit and the pulled ones are recognised next time: nothing moves.
    const quiet = await run(f);
    expect(operations(quiet)).toEqual([]);
  });

  test.each(['server_wins', 'client_wins', 'newest_wins', 'manual'] as const)(
    'the same field changed on both sides follows %s',
    async (strategy) => {
      const f = await syncFixture({ strategy });
      await f.pm.ok(['item', 'add', '--type', 'task', 'Original']);
      await run(f);
      const [issue] = await f.api.issues(f.project);

      await f.pm.ok(['item', 'edit', 'WEB-1', '--title', 'Ours']);
      if (strategy === 'newest_wins') await new Promise((r) => setTimeout(r, 1100)); // Redmine's clock has whole seconds
      await f.api.updateIssue(issue!.id, { subject: 'Theirs' });

      const detail = await run(f);
      expect(detail.items.filter((i) => i.operation === 'conflict')).toHaveLength(1);
      const local = (await items(f))[0]!.title;
      const remote = (await f.api.issue(issue!.id))!.subject;
      const expected = {
        server_wins: ['Theirs', 'Theirs'],
        client_wins: ['Ours', 'Ours'],
        newest_wins: ['Theirs', 'Theirs'],
        manual: ['Ours', 'Theirs'],
      }[strategy];
      expect([local, remote]).toEqual(expected);

      const conflicts = await f.pm.json<
        { id: string; field: string; ours_value: string; theirs_value: string; winner: string }[]
      >(['conflicts']);
      expect(conflicts).toMatchObject([{ field: 'title', ours_value: 'Ours', theirs_value: 'Theirs' }]);
      if (strategy !== 'manual') return;

      // Left alone (and reported again) until a person decides; then the decision travels.
      const waiting = await run(f);
      expect(operations(waiting)).toEqual([]);
      expect(waiting.items.map((i) => i.operation)).toEqual(['conflict']);
      expect(await f.pm.json(['conflicts'])).toHaveLength(1);
      await f.pm.ok(['conflicts', 'resolve', conflicts[0]!.id, '--take', 'ours']);
      await run(f);
      expect((await f.api.issue(issue!.id))!.subject).toBe('Ours');
      expect((await items(f))[0]!.title).toBe('Ours');
    },
  );

  test('an edit that arrives by import (a teammate’s, through git) is pushed: imports move the change counter too', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', '--type', 'task', 'Card form']);
    await run(f);
    await run(f);
    const [issue] = await f.api.issues(f.project);

    // The teammate's edit: their data.json, merged in by `pm sync import` (imported rows are not local edits).
    await f.pm.ok(['sync', 'export']);
    const snapshot = join(f.dir, '.pm', 'data.json');
    const at = new Date(Date.now() + 60_000).toISOString();
    const edited = readFileSync(snapshot, 'utf8')
      .split('\n')
      .map((line) =>
        line.includes('"title":"Card form"')
          ? line
              .replace('"title":"Card form"', '"title":"Card form (theirs)"')
              .replace('"version":1,', '"version":2,')
              .replace(/"updated_at":"[^"]+"/, `"updated_at":"${at}"`)
              .replace('"field_updated_at":{}', `"field_updated_at":{"title":"${at}"}`)
          : line,
      )
      .join('\n');
    writeFileSync(snapshot, edited);
    await f.pm.ok(['sync', 'import']);
    expect((await items(f))[0]!.title).toBe('Card form (theirs)');

    // A push alone: the pull would also notice the difference on an issue it lists again.
    const detail = await run(f, '--direction', 'push');
    expect(operations(detail)).toEqual(['work_items push update']);
    expect((await f.api.issue(issue!.id))!.subject).toBe('Card form (theirs)');
  });

  test('a parent deleted in pm: its child loses the parent on Redmine before the parent goes, and stays', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', '--type', 'epic', 'Checkout']);
    await f.pm.ok(['item', 'add', '--type', 'task', 'Card form', '--parent', 'WEB-1']);
    await run(f);
    await run(f);
    const child = (await f.api.issues(f.project)).find((i) => i.subject === 'Card form')!;
    expect(child.parent).toBeDefined();

    // Only the parent is written: the child changes remotely because what it points to is gone.
    await f.pm.ok(['item', 'rm', 'WEB-1', '--yes']);
    const detail = await run(f, '--direction', 'push');
    expect(operations(detail)).toEqual(['work_items push delete', 'work_items push update']);
    const left = await f.api.issues(f.project);
    expect(left.map((i) => i.subject)).toEqual(['Card form']);
    expect(left[0]!.parent).toBeUndefined();
  });

  test('a delete on each side reaches the other: pm tombstones go out, Redmine deletions are found by a full run', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', '--type', 'task', 'Deleted here']);
    await f.pm.ok(['item', 'add', '--type', 'task', 'Deleted there']);
    await f.pm.ok(['item', 'add', '--type', 'task', 'Kept']);
    await run(f);
    const issues = await f.api.issues(f.project);
    const there = issues.find((i) => i.subject === 'Deleted there')!;
    const here = issues.find((i) => i.subject === 'Deleted here')!;

    await f.pm.ok(['item', 'rm', 'WEB-1']);
    await f.api.deleteIssue(there.id);

    // Absence from an incremental listing is not a deletion.
    await run(f);
    expect(await f.api.issue(here.id)).toBeUndefined();
    expect((await byTitle(f, 'Deleted there'))!.deleted_at).toBeNull();

    const full = await run(f, '--mode', 'full');
    expect(full.run.status).toBe('completed');
    expect(operations(full)).toEqual(['work_items pull delete']);
    expect((await byTitle(f, 'Deleted there'))!.deleted_at).not.toBeNull();
    expect((await byTitle(f, 'Kept'))!.deleted_at).toBeNull();
    expect((await f.api.issues(f.project)).map((i) => i.subject)).toEqual(['Kept']);
  });

  test('a dry run plans every operation and changes nothing on either side', async () => {
    const f = await syncFixture();
    await plan(f);
    await run(f);
    const [issue] = await f.api.issues(f.project);
    await f.pm.ok(['item', 'edit', 'WEB-2', '--title', 'Pay by card or wallet']);
    await f.pm.ok(['item', 'add', '--type', 'task', 'Wallet button']);
    await f.api.updateIssue(issue!.id, { subject: 'Checkout flow' });
    await f.api.createIssue(f.project, { subject: 'From Redmine', tracker_id: 1 });

    const localBefore = (await f.pm.ok(['sync', 'export', '-o', '-'])).stdout;
    const remoteBefore = JSON.stringify(await f.api.issues(f.project));
    const dry = await run(f, '--dry-run', '--mode', 'full');
    expect(dry.run.status).toBe('completed');
    expect(dry.items.every((i) => i.status === 'planned')).toBe(true);
    expect(operations(dry)).toEqual([
      'work_items pull create',
      'work_items pull update',
      'work_items push create',
      'work_items push update',
    ]);
    expect((await f.pm.ok(['sync', 'export', '-o', '-'])).stdout).toBe(localBefore);
    expect(JSON.stringify(await f.api.issues(f.project))).toBe(remoteBefore);

    // What it planned is what a real run then does.
    expect(operations(await run(f))).toEqual(operations(dry));
  });

  test('an idempotency key used twice gives back the first run', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', '--type', 'task', 'Once']);
    const first = await run(f, '--idempotency-key', 'nightly-2026-11-21');
    const again = await f.pm.run(['sync', 'run', '--idempotency-key', 'nightly-2026-11-21', '--json']);
    expect(again.code).toBe(0);
    expect(again.json<Detail>().run.id).toBe(first.run.id);
    expect(again.stderr).toBe('');
    expect((await f.pm.json<{ total: number }>(['sync', 'runs'])).total).toBe(1);
    expect(await f.api.issues(f.project)).toHaveLength(1);
  });
});
