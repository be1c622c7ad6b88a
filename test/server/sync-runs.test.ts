import { describe, expect, test, vi } from 'vitest';
import type { SyncRun, SyncRunItem } from '../../src/domain/index.js';
import { syncFixture, type SyncFixture } from '../helpers/redmine.js';
import { apiClient, servePm } from '../helpers/server.js';

/** Sync runs over HTTP: `pm serve` as a process, the real Redmine behind it. */

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

/** `pm serve --port 0` in the fixture's repository; resolves with its URL once it listens. */
const serve = (f: SyncFixture) => servePm(f.dir, f.env);

interface SseEvent {
  event: string;
  id: string | undefined;
  data: unknown;
}

/** Reads a server-sent event stream to its end. */
async function readSse(url: string): Promise<SseEvent[]> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      return { event: field('event')!, id: field('id'), data: JSON.parse(field('data')!) as unknown };
    });
}

async function addTasks(f: SyncFixture, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await f.pm.ok(['item', 'add', '--type', 'task', `Task ${i}`]);
}

describe('sync runs over HTTP', () => {
  test('POST /sync/runs answers 202 at once; the event stream carries every item in order, then the end', async () => {
    const f = await syncFixture();
    await addTasks(f, 8);
    const url = await serve(f);
    const api = apiClient(url);

    const started = await api.post<{ sync_id: string; status: string; mode: string; direction: string; started_at: string }>(
      '/sync/runs',
      {
        mode: 'full',
      },
    );
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'queued', mode: 'full', direction: 'both' });
    expect(Date.parse(started.body.started_at)).not.toBeNaN();

    const events = await readSse(`${url}/api/v1/sync/runs/${started.body.sync_id}/events`);
    const detail = (await api.get<{ run: SyncRun; items: SyncRunItem[] }>(`/sync/runs/${started.body.sync_id}`)).body;
    const items = events.filter((e) => e.event.startsWith('item_'));
    expect(items.map((e) => (e.data as SyncRunItem).id)).toEqual(detail.items.map((i) => i.id));
    expect(items.map((e) => Number(e.id))).toEqual(detail.items.map((_, i) => i + 1));
    expect(items).toHaveLength(8);
    expect(events[0]!.event).toBe('run_started');
    expect(events.at(-1)).toMatchObject({ event: 'run_finished', data: { id: started.body.sync_id, status: 'completed' } });
    expect(events.filter((e) => e.event === 'run_finished')).toHaveLength(1);
    // Progress is thinned out, but every phase is announced as it starts.
    const starts = events
      .filter((e) => e.event === 'progress' && (e.data as { done: number }).done === 0)
      .map((e) => (e.data as { phase: string; total: number }).phase);
    expect(starts).toEqual(expect.arrayContaining(['pull', 'push']));

    // A subscriber that comes after the end gets the same story.
    const late = await readSse(`${url}/api/v1/sync/runs/${started.body.sync_id.slice(-12)}/events`);
    expect(late.filter((e) => e.event.startsWith('item_')).map((e) => e.id)).toEqual(items.map((e) => e.id));
    expect(late.at(-1)!.event).toBe('run_finished');
  });

  test('the CLI runs through the server with --server, and the other endpoints answer', async () => {
    const f = await syncFixture();
    await addTasks(f, 3);
    const url = await serve(f);
    const api = apiClient(url);

    const result = await f.pm.run(['--server', url, 'sync', 'run', '--json']);
    expect(result.code).toBe(0);
    const detail = result.json<{ run: SyncRun; items: SyncRunItem[] }>();
    expect(detail.run).toMatchObject({ status: 'completed', counters: { work_items: { create: 3 } } });
    expect(await f.api.issues(f.project)).toHaveLength(3);

    const again = await api.post<{ sync_id: string }>('/sync/runs', { idempotency_key: 'k' });
    const same = await api.post<{ sync_id: string; created: boolean }>('/sync/runs', { idempotency_key: 'k' });
    expect([again.status, same.status]).toEqual([202, 200]);
    expect(same.body).toMatchObject({ sync_id: again.body.sync_id, created: false });

    const runs = await api.get<{ runs: SyncRun[]; total: number }>('/sync/runs?limit=1');
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.total).toBe(2);
    expect((await api.get<{ items: unknown[]; total: number }>('/sync/failures')).body).toMatchObject({ items: [], total: 0 });
    expect((await api.get<{ runs: Record<string, number> }>('/sync/metrics')).body.runs.completed).toBeGreaterThanOrEqual(1);
    expect((await api.post('/sync/retry', {})).body).toMatchObject({ sync_id: null });
    expect((await api.get('/sync/runs/0000dead0000')).status).toBe(404);
    expect((await api.post('/sync/runs', { mode: 'sideways' })).status).toBe(400);
    expect((await api.post('/sync/runs', { connection: 'nope' })).status).toBe(404);
    const listed = await f.pm.run(['--server', url, 'sync', 'runs', '--json']);
    expect(listed.json<{ total: number }>().total).toBe(2);
  });
});
