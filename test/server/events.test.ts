import { describe, expect, test } from 'vitest';
import { LocalTracker, type WorkItemView } from '../../src/tracker/index.js';
import { openStore } from '../../src/store/index.js';
import { openSse, testApp, type SseEvent } from '../helpers/server.js';
import { DIALECTS, storeTarget } from '../helpers/stores.js';
import { runRecord } from '../helpers/runs.js';
import { manualClock } from '../helpers/tracker.js';

interface Changes {
  seq: number;
  changes: Record<string, string[]>;
  truncated: boolean;
}
const changesOf = (e: SseEvent) => e.data as Changes;
const touching = (type: string, id: string) => (e: SseEvent) =>
  e.event === 'changes' && (changesOf(e).changes[type] ?? []).includes(id);

describe.each(DIALECTS)('GET /api/v1/events on %s', (dialect) => {
  test('streams the ids of what changed, whether written through this server or by another connection to the database', async () => {
    const target = storeTarget(dialect);
    const app = await testApp(dialect, { target });
    await app.api.post('/projects', { key: 'WEB', title: 'Web' });
    const stream = await openSse(`${app.url}/api/v1/events`);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const hello = await stream.next((e) => e.event === 'hello');
    expect((hello.data as { seq: number }).seq).toBeGreaterThan(0);

    const created = (await app.api.post<WorkItemView>('/work_items', { item_type: 'task', title: 'Through the API' })).body;
    const seen = await stream.next(touching('work_items', created.id));
    expect(Number(seen.id)).toBe(changesOf(seen).seq);

    // Another connection (as `pm` in another process would open): the server never hears of it directly.
    const other = await openStore(target);
    try {
      const tracker = new LocalTracker({ store: other, actor: 'cli@example.com', clock: manualClock(), doneStatuses: ['done'] });
      const comment = await tracker.addComment({ item: created.key, content: 'From elsewhere' });
      const moved = await tracker.moveItem(created.key, { status: 'done' });
      const event = await stream.next(touching('comments', comment.id));
      const later = changesOf(event).changes.work_items?.includes(moved.id)
        ? event
        : await stream.next(touching('work_items', moved.id));
      expect(changesOf(later).truncated).toBe(false);
    } finally {
      await other.close();
    }
    stream.close();
  });

  test('a client that comes back with Last-Event-ID gets what changed while it was away', async () => {
    const app = await testApp(dialect);
    await app.api.post('/projects', { key: 'WEB', title: 'Web' });
    const first = await openSse(`${app.url}/api/v1/events`);
    const seq = (await first.next((e) => e.event === 'hello')).id!;
    first.close();
    const missed = (await app.api.post<WorkItemView>('/work_items', { item_type: 'task', title: 'While away' })).body;

    const again = await openSse(`${app.url}/api/v1/events`, { 'last-event-id': seq });
    const caughtUp = await again.next((e) => e.event === 'changes', 2000);
    expect(changesOf(caughtUp).changes.work_items).toEqual([missed.id]);
    again.close();
  });

  test('tells about sync runs as they start and end, and ends its streams when the server closes', async () => {
    const app = await testApp(dialect);
    const stream = await openSse(`${app.url}/api/v1/events`);
    await stream.next((e) => e.event === 'hello');
    const run = runRecord({ owner: `${process.pid}@elsewhere` });
    await app.store.sync.insertRun(run);
    const started = await stream.next((e) => e.event === 'sync');
    expect(started.data).toMatchObject({ active: [{ id: run.id, status: 'running' }], latest: { id: run.id } });
    await app.store.sync.updateRun(run.id, { status: 'completed', finished_at: new Date().toISOString() });
    const finished = await stream.next((e) => e.event === 'sync');
    expect(finished.data).toMatchObject({ active: [], latest: { id: run.id, status: 'completed' } });

    await app.close();
    await stream.ended();
  });

  test('needs a token like every other read when the server requires one', async () => {
    const app = await testApp(dialect, { settings: { requireToken: true } });
    expect((await app.api.get('/events')).status).toBe(401);
  });
});
