import { spawn } from 'node:child_process';
import { describe, expect, test, vi } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../../src/domain/index.js';
import { PM_BIN, testEnv } from '../../helpers/cli.js';
import { FaultProxy } from '../../helpers/fault-proxy.js';
import { RedmineApi, redminePeer, syncFixture, type SyncFixture } from '../../helpers/redmine.js';

/** The engine against the real Redmine behind a proxy that fails on cue. */

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

type Detail = { run: SyncRun; items: SyncRunItem[] };

async function fixture(connect: string[] = []): Promise<{ f: SyncFixture; proxy: FaultProxy }> {
  const proxy = await FaultProxy.start(redminePeer().url);
  const f = await syncFixture({ url: proxy.url, connect });
  return { f, proxy };
}

async function addTasks(f: SyncFixture, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await f.pm.ok(['item', 'add', '--type', 'task', `Task ${i}`]);
}

async function syncRun(f: SyncFixture, ...args: string[]): Promise<{ code: number; detail: Detail; stderr: string }> {
  const result = await f.pm.run(['sync', 'run', ...args, '--json']);
  return { code: result.code, detail: result.json<Detail>(), stderr: result.stderr };
}

/** Every issue of the project carries a different pm id, and there are as many as expected. */
async function expectNoDuplicates(f: SyncFixture, count: number): Promise<void> {
  const issues = await f.api.issues(f.project);
  const ids = issues.map((i) => RedmineApi.pmId(i));
  expect(new Set(ids).size).toBe(ids.length);
  expect(issues).toHaveLength(count);
}

const CREATE = /^\/issues\.json$/;

describe('sync faults', () => {
  test('429 with Retry-After: the create waits as long as asked, then goes through', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 1);
    proxy.inject({ method: 'POST', path: CREATE, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });

    const { code, detail } = await syncRun(f);
    expect(code).toBe(0);
    const posts = proxy.requests('POST', CREATE);
    expect(posts.map((p) => p.status)).toEqual([429, 201]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(detail.items.find((i) => i.entity_type === 'work_items')).toMatchObject({ status: 'done', attempts: 2 });
    await expectNoDuplicates(f, 1);
  });

  test('a 500 after Redmine made the issue: the retry finds it by pm id instead of making a second', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 3);
    proxy.inject({ method: 'POST', path: CREATE, fault: { kind: 'fail-after-forward', status: 500 } });

    const { code, detail } = await syncRun(f);
    expect(code).toBe(0);
    expect(detail.run.status).toBe('completed');
    expect(proxy.requests('GET', /cf_\d+=/).length).toBeGreaterThan(0);
    expect(detail.items.filter((i) => i.attempts === 2)).toHaveLength(1);
    await expectNoDuplicates(f, 3);
  });

  test('a timeout after Redmine made the issue: no duplicate either', async () => {
    const { f, proxy } = await fixture(['--timeout', '1000']);
    await addTasks(f, 2);
    proxy.inject({ method: 'POST', path: CREATE, fault: { kind: 'hang-after-forward' } });

    const { code, detail } = await syncRun(f);
    expect(code).toBe(0);
    expect(detail.run.status).toBe('completed');
    expect(proxy.requests('POST', CREATE).map((p) => p.status)).toContain('hung');
    await expectNoDuplicates(f, 2);
  });

  test('slow answers make a run slower, not wrong', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 3);
    await f.api.createIssue(f.project, { subject: 'From Redmine', tracker_id: 1 });
    proxy.inject({ method: 'GET', fault: { kind: 'delay', ms: 300 }, times: Infinity });

    const { code, detail } = await syncRun(f);
    expect(code).toBe(0);
    expect(detail.run.counters.work_items).toMatchObject({ create: 4 });
    expect((await f.pm.json<{ title: string }[]>(['item', 'list'])).map((i) => i.title).sort()).toEqual([
      'From Redmine',
      'Task 1',
      'Task 2',
      'Task 3',
    ]);
    await expectNoDuplicates(f, 4);
  });

  test('malformed JSON is read again; when it persists the run fails, naming the request, and changes nothing', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 1);
    proxy.inject({ method: 'GET', path: /^\/issues\.json/, fault: { kind: 'garbage' } });
    expect((await syncRun(f)).detail.run.status).toBe('completed');

    await f.api.createIssue(f.project, { subject: 'Unseen', tracker_id: 1 });
    await f.pm.ok(['item', 'add', '--type', 'task', 'Not pushed']);
    proxy.inject({ method: 'GET', path: /^\/issues\.json/, fault: { kind: 'garbage' }, times: Infinity });
    const { code, detail } = await syncRun(f, '--mode', 'full');
    expect(code).toBe(9);
    expect(detail.run.status).toBe('failed');
    expect(detail.run.error).toMatch(/GET \/issues\.json: the answer is not JSON/);
    expect((await f.pm.json<{ title: string }[]>(['item', 'list'])).map((i) => i.title)).not.toContain('Unseen');
    expect((await f.api.issues(f.project)).map((i) => i.subject)).toEqual(['Task 1', 'Unseen']);
  });

  test('a redirect is not followed: the run fails, naming where Redmine moved, and nothing is written', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 1);
    const moved = { Location: 'https://redmine.example.org/issues.json?key=secret' };
    proxy.inject({ method: 'GET', path: /^\/issues\.json/, fault: { kind: 'status', status: 301, headers: moved } });
    const { code, detail } = await syncRun(f);
    expect(code).toBe(9);
    expect(detail.run.status).toBe('failed');
    expect(detail.run.error).toMatch(
      /GET \/issues\.json: 301, moved to https:\/\/redmine\.example\.org\/issues\.json: connect to that address instead/,
    );
    expect(detail.run.error).not.toContain('secret');
    expect(proxy.requests('GET', /^\/issues\.json/)).toHaveLength(1);
    expect(await f.api.issues(f.project)).toEqual([]);
  });

  test('a refusal (422) is final: tried once, recorded with Redmine’s reason, the rest goes on', async () => {
    const { f } = await fixture();
    await f.pm.ok(['item', 'add', '--type', 'story', 'Parent']);
    await f.pm.ok(['item', 'add', '--type', 'task', 'Child', '--parent', 'WEB-1']);
    await f.pm.ok(['dep', 'add', 'WEB-2', 'blocks', 'WEB-1']);

    const { code, detail } = await syncRun(f);
    expect(code).toBe(9);
    expect(detail.run.status).toBe('completed_with_errors');
    const failed = detail.items.filter((i) => i.status === 'failed');
    expect(failed).toMatchObject([{ entity_type: 'dependencies', operation: 'create', attempts: 1 }]);
    expect(failed[0]!.error).toMatch(/Redmine refused the relation .*subtasks/);
    await expectNoDuplicates(f, 2);
  });

  test('Redmine down mid-run: retries, then failures to list; pm sync retry after it is back completes them', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 30);
    let created = 0;
    proxy.onRequest = (entry) => {
      if (entry.method === 'POST' && entry.status === 201 && ++created === 5) void proxy.down();
    };

    const first = await syncRun(f);
    expect(first.code).toBe(9);
    expect(first.detail.run.status).toBe('completed_with_errors');
    const failures = await f.pm.json<{ items: SyncRunItem[]; total: number }>(['sync', 'failures']);
    // A create in flight as the connection dropped may have happened: it is a failure until the retry finds it.
    const made = (await f.api.issues(f.project)).length;
    expect(failures.total).toBeGreaterThanOrEqual(30 - made);
    expect(failures.total).toBeLessThanOrEqual(30 - made + 4);
    expect(failures.items.every((i) => i.entity_type === 'work_items' && i.operation === 'create')).toBe(true);
    expect(failures.items.some((i) => i.attempts > 1)).toBe(true); // retried before giving up
    expect(failures.items.some((i) => i.attempts === 0 && /not attempted/.test(i.error ?? ''))).toBe(true); // then stopped hammering

    proxy.onRequest = undefined;
    await proxy.up();
    const retried = await f.pm.run(['sync', 'retry', '--json']);
    expect(retried.code).toBe(0);
    expect(retried.json<Detail>().run).toMatchObject({ status: 'completed', retry_of: first.detail.run.id });
    expect((await f.pm.json<{ total: number }>(['sync', 'failures'])).total).toBe(0);
    await expectNoDuplicates(f, 30);
  });

  test('SIGKILL in the middle of a push: the run is failed, not left running, and the next run makes no duplicates', async () => {
    const { f, proxy } = await fixture();
    await addTasks(f, 60);
    const child = spawn(process.execPath, [PM_BIN, 'sync', 'run'], { cwd: f.dir, env: testEnv(f.env) });
    let posts = 0;
    const killed = new Promise<void>((resolve) => {
      proxy.onRequest = (entry) => {
        if (entry.method === 'POST' && ++posts === 15) {
          child.kill('SIGKILL');
          resolve();
        }
      };
    });
    await killed;
    await new Promise((resolve) => child.on('close', resolve));
    proxy.onRequest = undefined;
    const between = (await f.api.issues(f.project)).length;
    expect(between).toBeGreaterThanOrEqual(14);
    expect(between).toBeLessThan(60);

    const runs = await f.pm.json<{ runs: SyncRun[] }>(['sync', 'runs']);
    expect(runs.runs[0]).toMatchObject({ status: 'failed' });
    expect(runs.runs[0]!.error).toMatch(/interrupted/);

    const { code, detail } = await syncRun(f);
    expect(code).toBe(0);
    // What the killed run created is found by pm id and linked; a create it sent as it died may land late.
    const { create = 0, link = 0 } = detail.run.counters.work_items!;
    expect(create + link).toBe(60);
    expect(link).toBeGreaterThanOrEqual(between);
    await expectNoDuplicates(f, 60);
    expect((await syncRun(f)).detail.items.filter((i) => i.operation !== 'conflict')).toEqual([]);
  });
});
