import { describe, expect, test, vi } from 'vitest';
import type { Conflict, SyncRun } from '../../src/domain/index.js';
import type { Page as ListPage, WorkItemView } from '../../src/tracker/index.js';
import { openBrowser, screenshot } from '../helpers/browser.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { RedmineApi, syncFixture, type SyncFixture } from '../helpers/redmine.js';
import { apiClient, servePm } from '../helpers/server.js';

/** The sync dashboard in real Chromium, `pm serve` as a process, the real Redmine behind it. */

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

const CREATE = /^\/issues\.json$/;

async function addTasks(f: SyncFixture, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await f.pm.ok(['item', 'add', '--type', 'task', `Task ${i}`]);
}

async function dashboard(url: string) {
  const { page } = await openBrowser();
  await page.goto(`${url}/#/sync`);
  await page.locator('.connection[data-connection="redmine"]').waitFor();
  return page;
}

describe('the sync dashboard', () => {
  test('Sync now shows the run live to its end: phase, progress, counters, a rate-limit wait', async () => {
    const api = new RedmineApi();
    const proxy = await FaultProxy.start(api.peer.url);
    const f = await syncFixture({ url: proxy.url, connect: ['--every', '30m'] });
    await addTasks(f, 6);
    const url = await servePm(f.dir, f.env);
    // Redmine never rate-limits: the proxy does, once, as a busy tracker would.
    proxy.inject({ method: 'POST', path: CREATE, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '2' } } });
    const page = await dashboard(url);
    const connection = page.locator('.connection[data-connection="redmine"]');
    await expect.poll(() => connection.locator('.next-run').textContent()).toMatch(/every 30 min/);

    await connection.getByRole('button', { name: 'Sync now' }).click();
    const live = page.locator('.live-run');
    await live.locator('.waiting').getByText('Rate-limited by the remote').waitFor();
    // The wait is on the first create: the push phase has begun, with all six to go.
    expect(await live.locator('.phase').textContent()).toMatch(/^Phase: push · 0 \/ 6 · 0 records/);
    await screenshot(page, 'sync-live');
    await page.locator('.live-run[data-run-status="completed"]').waitFor({ timeout: 120_000 });
    expect(await live.locator('.records').textContent()).toBe('6 records');
    expect(await live.locator('.counters').textContent()).toContain('work_items6 create');
    expect(await live.locator('.waiting').count()).toBe(0);
    expect(await api.issues(f.project)).toHaveLength(6);

    // The history lists the run; its page links every record to both sides.
    const runId = (await live.getAttribute('data-run'))!;
    await page.locator(`tr[data-run="${runId}"]`).waitFor();
    await screenshot(page, 'sync-dashboard');
    await page.locator(`tr[data-run="${runId}"] a`).first().click();
    const rows = page.locator('table.run-items tbody tr');
    await expect.poll(() => rows.count()).toBe(6);
    const first = rows.first();
    expect(await first.locator('a.local').getAttribute('href')).toBe('#/items/WEB-1');
    expect(await first.locator('a.remote').getAttribute('href')).toMatch(new RegExp(`^${proxy.url}/issues/\\d+$`));
    await screenshot(page, 'sync-run');
  });

  test('a failed record is listed with its error and retried from the page until it goes through', async () => {
    const api = new RedmineApi();
    const proxy = await FaultProxy.start(api.peer.url);
    const f = await syncFixture({ url: proxy.url });
    await addTasks(f, 3);
    const url = await servePm(f.dir, f.env);
    proxy.inject({
      method: 'POST',
      path: CREATE,
      fault: { kind: 'status', status: 422, body: '{"errors":["Subject cannot be blank"]}' },
    });
    const page = await dashboard(url);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('.live-run[data-run-status="completed_with_errors"]').waitFor({ timeout: 120_000 });
    expect(await api.issues(f.project)).toHaveLength(2);

    await page.getByRole('link', { name: 'Failures' }).click();
    const failure = page.locator('table.failures tbody tr');
    await expect.poll(() => failure.count()).toBe(1);
    expect(await failure.locator('td.error').textContent()).toContain('Subject cannot be blank');
    await screenshot(page, 'sync-failures');
    await failure.getByRole('button', { name: 'Retry' }).click();
    const retry = page.locator('.live-run').first();
    await page.locator('.live-run[data-run-status="completed"]').waitFor({ timeout: 120_000 });
    expect(await retry.locator('.counters').textContent()).toContain('work_items1 create');
    await expect.poll(() => failure.count()).toBe(0);
    expect(await api.issues(f.project)).toHaveLength(3);
    const runs = (await apiClient(url).get<{ runs: SyncRun[] }>('/sync/runs')).body.runs;
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed_with_errors']);
    expect(runs[0]!.retry_of).toBe(runs[1]!.id);
  });

  test('a conflict from a sync is resolved from the page: the chosen value is the record', async () => {
    const f = await syncFixture({ strategy: 'manual' });
    await f.pm.ok(['item', 'add', '--type', 'task', 'Card form']);
    await f.pm.ok(['sync', 'run']);
    const [issue] = await f.api.issues(f.project);
    // Both sides change the title.
    await f.pm.ok(['item', 'edit', 'WEB-1', '--title', 'Card form (pm)']);
    await f.api.updateIssue(issue!.id, { subject: 'Card form (Redmine)' });
    const url = await servePm(f.dir, f.env);
    const page = await dashboard(url);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('.live-run[data-run-status="completed"]').waitFor({ timeout: 120_000 });

    await page.getByRole('link', { name: 'Conflicts' }).click();
    const row = page.locator('table.conflicts tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td.ours').textContent()).toBe('Card form (pm)');
    expect(await row.locator('td.theirs').textContent()).toBe('Card form (Redmine)');
    await row.getByRole('link', { name: 'WEB-1' }).waitFor();
    await screenshot(page, 'sync-conflicts');
    await row.getByRole('button', { name: 'Take theirs' }).click();
    await expect.poll(() => row.count()).toBe(0);

    const server = apiClient(url);
    expect((await server.get<WorkItemView>('/work_items/WEB-1')).body.title).toBe('Card form (Redmine)');
    const all = (await server.get<ListPage<Conflict>>('/conflicts?all=true')).body.items;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ resolution: 'theirs', resolved_value: 'Card form (Redmine)' });
  });

  test('an overwrite run says in the history and on its page how many remote records it deleted, counted once', async () => {
    const f = await syncFixture();
    await f.pm.ok(['item', 'add', '--type', 'task', 'Kept']);
    await f.pm.ok(['sync', 'run']);
    await f.api.createIssue(f.project, { subject: 'Made in Redmine' });
    await f.pm.ok(['sync', 'run', '--overwrite', '--yes']);
    expect((await f.api.issues(f.project)).map((i) => i.subject)).toEqual(['Kept']);
    const url = await servePm(f.dir, f.env);
    const page = await dashboard(url);

    const [overwrite] = (await apiClient(url).get<{ runs: SyncRun[] }>('/sync/runs')).body.runs;
    const row = page.locator(`tr[data-run="${overwrite!.id}"]`);
    await row.locator('.tag.overwrite').waitFor();
    expect(await row.locator('.tag.overwrite').getAttribute('title')).toBe('1 remote record pm does not have, deleted');
    expect(await row.locator('td').nth(5).textContent()).toBe('1 deleted');
    await row.locator('a').first().click();
    await page.locator('dd.overwrite').waitFor();
    expect(await page.locator('dd.overwrite').textContent()).toBe('1 remote record pm does not have, deleted');
    expect(await page.locator('.counters').textContent()).toContain('1 delete · 1 of them not in pm');
  });
});
