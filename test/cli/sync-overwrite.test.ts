import { describe, expect, test, vi } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../src/domain/index.js';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/index.js';
import { testEnv } from '../helpers/cli.js';
import { servePm } from '../helpers/server.js';
import { redmineProject, syncFixture, type SyncFixture } from '../helpers/redmine.js';

/** `pm sync run --overwrite`, `pm sync ignore --undo` and `pm sync show`, against the real Redmine. */

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

type Detail = { run: SyncRun; items: SyncRunItem[] };

/** pm in process as on a terminal, answering every question with `answer`. */
async function onTerminal(f: SyncFixture, args: string[], answer: string) {
  const asked: string[] = [];
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd: f.dir,
    env: testEnv(f.env),
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    isTTY: true,
    columns: 100,
    ask: (question) => {
      asked.push(question);
      return Promise.resolve(answer);
    },
  });
  return { code, asked, stdout, stderr };
}

const subjects = async (f: SyncFixture, project = f.project) => (await f.api.issues(project)).map((i) => i.subject).sort();

/** A fixture with WEB-1 synced to Redmine, and two issues made in Redmine that pm has not pulled. */
async function withStrays(): Promise<SyncFixture> {
  const f = await syncFixture();
  await f.pm.ok(['item', 'add', 'Kept']);
  await f.pm.ok(['sync', 'run', '--direction', 'push']);
  for (const subject of ['Stray one', 'Stray two']) await f.api.createIssue(f.project, { subject, tracker_id: 1 });
  return f;
}

describe('pm sync run --overwrite', () => {
  test('without a terminal and without --yes it is refused, saying why, and nothing changes', async () => {
    const f = await withStrays();
    const refused = await f.pm.run(['sync', 'run', '--overwrite']);
    expect(refused.code).toBe(EXIT_CODES.validation_failed);
    expect(refused.stderr).toContain('--yes');
    expect(refused.stderr).toContain('deletes remote records pm does not have');
    expect(await subjects(f)).toEqual(['Kept', 'Stray one', 'Stray two']);
    expect((await f.pm.json<{ total: number }>(['sync', 'runs'])).total).toBe(1);
  });

  test('on a terminal it names how many remote records go; no keeps them, yes deletes them', async () => {
    const f = await withStrays();
    const no = await onTerminal(f, ['sync', 'run', '--overwrite'], 'n');
    expect(no.code).toBe(0);
    expect(no.asked).toHaveLength(1);
    expect(no.asked[0]).toContain(`Overwrite redmine with pm? This deletes 2 remote records pm does not have`);
    expect(no.stderr).toContain('Nothing changed.');
    expect(await subjects(f)).toEqual(['Kept', 'Stray one', 'Stray two']);

    const yes = await onTerminal(f, ['sync', 'run', '--overwrite'], 'y');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('overwrite: 2 remote records deleted');
    expect(await subjects(f)).toEqual(['Kept']);
  });

  test('--yes deletes the unlinked issues of the project only, counts them, and a second run deletes none', async () => {
    const f = await withStrays();
    const other = await redmineProject(f.api);
    await f.api.createIssue(other, { subject: 'Another project', tracker_id: 1 });

    const dry = (await f.pm.ok(['sync', 'run', '--overwrite', '--dry-run', '--json'])).json<Detail>();
    expect([dry.run.dry_run, dry.run.deletion_count]).toEqual([true, 2]);
    expect(await subjects(f)).toEqual(['Kept', 'Stray one', 'Stray two']);

    const first = (await f.pm.ok(['sync', 'run', '--overwrite', '--yes', '--json'])).json<Detail>();
    expect(first.run).toMatchObject({ status: 'completed', overwrite_mode: true, deletion_count: 2 });
    expect(first.run.counters.work_items).toMatchObject({ delete: 2, overwrite_deleted: 2 });
    expect(await subjects(f)).toEqual(['Kept']);
    expect(await subjects(f, other)).toEqual(['Another project']);
    expect((await f.pm.json<{ title: string }[]>(['item', 'list', '--all'])).map((i) => i.title)).toEqual(['Kept']);

    const second = (await f.pm.ok(['sync', 'run', '--overwrite', '--yes', '--json'])).json<Detail>();
    expect([second.run.status, second.run.deletion_count]).toEqual(['completed', 0]);
    const runs = await f.pm.json<{ runs: SyncRun[] }>(['sync', 'runs']);
    expect(runs.runs.map((r) => [r.overwrite_mode, r.deletion_count])).toEqual([
      [true, 0],
      [true, 2],
      [true, 2],
      [false, 0],
    ]);

    const table = (await f.pm.ok(['sync', 'runs'])).stdout.split('\n');
    expect(table.filter((l) => l.includes('push (overwrite: 2 deleted)'))).toHaveLength(1);
    expect(table.filter((l) => l.includes('push (dry) (overwrite: 2 to delete)'))).toHaveLength(1);
    const shown = (await f.pm.ok(['sync', 'show', first.run.id.slice(-12)])).stdout;
    expect(shown).toMatch(/^overwrite +yes/m);
    expect(shown).toMatch(/^deleted remotely +2 records$/m);
    expect(shown).toMatch(/work items: 2 deleted \(2 not in pm\)/);
  });

  test('every type: a stray version, note and time entry go, a remote edit and a move are undone, pm’s records stay', async () => {
    const f = await syncFixture();
    await f.pm.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14']);
    await f.pm.ok(['item', 'add', '-t', 'story', 'Parent', '--sprint', 'Sprint 1']);
    await f.pm.ok(['item', 'add', 'Child', '--parent', 'WEB-1']);
    await f.pm.ok(['item', 'add', 'Other']);
    await f.pm.ok(['dep', 'add', 'WEB-3', 'blocks', 'WEB-1']);
    await f.pm.ok(['comment', 'add', 'WEB-1', 'A note from pm']);
    await f.pm.ok(['time', 'add', 'WEB-1', '--duration', '1h']);
    await f.pm.ok(['sync', 'run']);
    const issues = await f.api.issues(f.project);
    const id = (subject: string) => issues.find((i) => i.subject === subject)!.id;
    const activities = await f.api.ok<{ time_entry_activities: { id: number }[] }>(
      'GET',
      '/enumerations/time_entry_activities.json',
    );
    await f.api.ok('POST', `/projects/${f.project}/versions.json`, { version: { name: 'Stray version' } });
    await f.api.updateIssue(id('Parent'), { notes: 'A stray note', subject: 'Parent, edited in Redmine' });
    await f.api.ok('POST', '/time_entries.json', {
      time_entry: { issue_id: id('Parent'), hours: 2, comments: 'stray', activity_id: activities.time_entry_activities[0]!.id },
    });
    // pm's child moved under an issue pm does not have: deleting that first would take the child along.
    const strayParent = await f.api.createIssue(f.project, { subject: 'Stray parent', tracker_id: 1 });
    await f.api.updateIssue(id('Child'), { parent_issue_id: strayParent.id });

    const { run } = (await f.pm.ok(['sync', 'run', '--overwrite', '--yes', '--json'])).json<Detail>();
    expect(run).toMatchObject({ status: 'completed', deletion_count: 4 });
    for (const type of ['sprints', 'work_items', 'comments', 'time_entries'])
      expect(run.counters[type]).toMatchObject({ overwrite_deleted: 1 });
    const after = await f.api.issues(f.project);
    const shape = after.map((i) => [i.subject, i.parent?.id ?? null, i.fixed_version?.name ?? null]);
    expect(shape.sort()).toEqual([
      ['Child', id('Parent'), null],
      ['Other', null, null],
      ['Parent', null, 'Sprint 1'],
    ]);
    expect((await f.api.versions(f.project)).map((v) => v.name)).toEqual(['Sprint 1']);
    expect((await f.api.timeEntries(f.project)).map((t) => t.hours)).toEqual([1]);
    const notes = (await f.api.issue(id('Parent')))!.journals!.flatMap((j) => (j.notes ? [j.notes] : []));
    expect(notes).toEqual(['A note from pm']);
    expect((await f.api.issue(id('Other')))!.relations).toHaveLength(1);

    const again = (await f.pm.ok(['sync', 'run', '--overwrite', '--yes', '--json'])).json<Detail>();
    expect([again.run.deletion_count, again.items]).toEqual([0, []]);
  });

  test('through a server (--server) it is the same: refused off a terminal without --yes, done with it', async () => {
    const f = await withStrays();
    const url = await servePm(f.dir, f.env);
    const refused = await f.pm.run(['--server', url, 'sync', 'run', '--overwrite']);
    expect(refused.code).toBe(EXIT_CODES.validation_failed);
    expect(await subjects(f)).toEqual(['Kept', 'Stray one', 'Stray two']);
    const done = (await f.pm.ok(['--server', url, 'sync', 'run', '--overwrite', '--yes', '--json'])).json<Detail>();
    expect(done.run).toMatchObject({ status: 'completed', overwrite_mode: true, deletion_count: 2 });
    expect(await subjects(f)).toEqual(['Kept']);
  });

  test('--yes without --overwrite is refused: nothing else asks', async () => {
    const f = await syncFixture();
    const refused = await f.pm.run(['sync', 'run', '--yes']);
    expect(refused.code).toBe(EXIT_CODES.validation_failed);
    expect(refused.stderr).toContain('only --overwrite asks');
  });
});

describe('pm sync show', () => {
  test('labels every field of the run, then its counts by type and its items', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', 'One']);
    const { run } = (await f.pm.ok(['sync', 'run', '--json'])).json<Detail>();
    const lines = (await f.pm.ok(['sync', 'show', run.id])).stdout.split('\n');
    const labels = lines.slice(0, lines.indexOf('')).map((l) => /^(\S+(?: \S+)?) {2,}/.exec(l)?.[1]);
    expect(labels).toEqual([
      'run',
      'connection',
      'status',
      'mode',
      'direction',
      'dry run',
      'overwrite',
      'filters',
      'requested by',
      'requested',
      'started',
      'finished',
      'duration',
      'records',
      'error',
      'retry of',
    ]);
    expect(lines).toContain('By type:');
    expect(lines.find((l) => l.startsWith('records'))).toMatch(/1 done, 0 failed$/);
    expect(lines.find((l) => l.startsWith('mode'))).toMatch(/incremental$/);
    expect(lines.find((l) => l.startsWith('direction'))).toMatch(/both$/);
  });
});

describe('pm sync ignore --undo', () => {
  test('a record marked not synced syncs again: its failure is open again and the next run tries it', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', '-t', 'story', 'Parent']);
    await f.pm.ok(['item', 'add', 'Child', '--parent', 'WEB-1']);
    await f.pm.ok(['dep', 'add', 'WEB-2', 'blocks', 'WEB-1']);
    expect((await f.pm.run(['sync', 'run'])).code).toBe(EXIT_CODES.remote_failed);
    const [failure] = (await f.pm.json<{ items: SyncRunItem[] }>(['sync', 'failures'])).items;
    expect(failure?.entity_type).toBe('dependencies');
    const id = failure!.id.slice(-12);

    const ignored = await f.pm.ok(['sync', 'ignore', id]);
    expect(ignored.stdout).toContain(`undo: pm sync ignore --undo ${id}`);
    await f.pm.ok(['sync', 'run']);

    const undone = await f.pm.ok(['sync', 'ignore', '--undo', id]);
    expect(undone.stdout).toContain('syncs again');
    expect((await f.pm.json<{ total: number }>(['sync', 'failures'])).total).toBe(1);
    // Redmine still refuses it: the next run tries it, and fails on it again.
    expect((await f.pm.run(['sync', 'run'])).code).toBe(EXIT_CODES.remote_failed);
    const again = await f.pm.run(['sync', 'ignore', '--undo', id]);
    expect(again.code).toBe(EXIT_CODES.not_ignored);
    expect(again.stderr).toContain('not marked not synced');
  });
});
