import { beforeEach, describe, expect, it } from 'vitest';
import type { Comment, Conflict, ItemQuery, Project, Sprint, SwimLane } from '../../src/domain/index.js';
import type { ErrorBody } from '../../src/server/index.js';
import { LocalTracker } from '../../src/tracker/index.js';
import type {
  Board,
  ConflictResolution,
  DependencyView,
  ItemDetails,
  Page,
  TimeEntryView,
  WorkItemView,
} from '../../src/tracker/index.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/index.js';
import { edgeCaseData, loadRecords } from '../helpers/snapshot.js';
import { testApp, type Api, type TestApp } from '../helpers/server.js';
import { DIALECTS } from '../helpers/stores.js';

describe.each(DIALECTS)('the REST API on %s', (dialect) => {
  let app: TestApp;
  let api: Api;

  beforeEach(async () => {
    app = await testApp(dialect);
    api = app.api;
    expect((await api.post('/projects', { key: 'WEB', title: 'Website' })).status).toBe(201);
  });

  async function item(title: string, extra: Record<string, unknown> = {}): Promise<WorkItemView> {
    const r = await api.post<WorkItemView>('/work_items', { item_type: 'task', title, ...extra });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  describe('projects', () => {
    it('creates, lists, gets by key or id, patches and deletes', async () => {
      const created = await api.post<Project>('/projects', { key: 'ops', title: 'Operations', description: 'Infra' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ key: 'OPS', title: 'Operations', version: 1 });
      expect(created.headers.get('location')).toBe(`/api/v1/projects/${created.body.id}`);

      const list = await api.get<Page<Project>>('/projects');
      expect(list.body.items.map((p) => p.key)).toEqual(['OPS', 'WEB']);
      expect(list.body.total).toBe(2);

      expect((await api.get<Project>('/projects/OPS')).body.id).toBe(created.body.id);
      expect((await api.get<Project>(`/projects/${created.body.id}`)).body.key).toBe('OPS');

      const patched = await api.patch<Project>('/projects/OPS', { status: 'archived', version: 1 });
      expect(patched.body).toMatchObject({ status: 'archived', version: 2 });
      expect((await api.get<Page<Project>>('/projects')).body.items.map((p) => p.key)).toEqual(['WEB']);
      expect((await api.get<Page<Project>>('/projects?all=true')).body.items.map((p) => p.key)).toEqual(['OPS', 'WEB']);

      const removed = await api.delete<Project>('/projects/OPS');
      expect(removed.status).toBe(200);
      expect(removed.body.deleted_at).not.toBeNull();
      const gone = await api.get<ErrorBody>('/projects/OPS');
      expect(gone.status).toBe(404);
      expect(gone.body.error.message).toContain('(deleted)');
    });

    it('deletes a project with items only with force=true', async () => {
      await item('Keeps the project alive');
      const refused = await api.delete<ErrorBody>('/projects/WEB');
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('has_dependents');
      expect((await api.delete('/projects/WEB?force=true')).status).toBe(200);
    });
  });

  describe('work items', () => {
    it('creates with display keys, gets by key or id, patches with a version precondition', async () => {
      const epic = await item('Checkout', { item_type: 'epic' });
      const story = await item('Pay by card', { item_type: 'story', parent: 'WEB-1', story_points: 5, assignee: 'me' });
      expect(story).toMatchObject({ key: 'WEB-2', parent_id: epic.id, story_points: 5, assignee_id: 'server@example.com' });

      expect((await api.get<WorkItemView>('/work_items/web-2')).body.id).toBe(story.id);
      expect((await api.get<WorkItemView>(`/work_items/${story.id}`)).body.key).toBe('WEB-2');

      const ok = await api.patch<WorkItemView>('/work_items/WEB-2', { title: 'Pay by card or wallet', version: 1 });
      expect(ok.body).toMatchObject({ title: 'Pay by card or wallet', version: 2, key: 'WEB-2' });

      const stale = await api.patch<ErrorBody>('/work_items/WEB-2', { title: 'Lost update', version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toMatchObject({ code: 'version_conflict', field: 'version' });
      const current = (stale.body.error.details as { current: WorkItemView }).current;
      expect(current).toMatchObject({ id: story.id, version: 2, title: 'Pay by card or wallet' });
      expect((await api.get<WorkItemView>('/work_items/WEB-2')).body.title).toBe('Pay by card or wallet');
    });

    it('lists with filters as query parameters, paged with a total', async () => {
      await item('One', { status: 'todo', priority: 'high' });
      await item('Two', { status: 'in_progress' });
      await item('Three', { status: 'done' });
      await item('Four', { status: 'todo', assignee: 'ann@example.com' });

      const open = await api.get<Page<WorkItemView>>('/work_items');
      expect(open.body.items.map((i) => i.key)).toEqual(['WEB-1', 'WEB-2', 'WEB-4']);
      expect(open.body).toMatchObject({ total: 3, limit: 100, offset: 0 });

      const statuses = await api.get<Page<WorkItemView>>('/work_items?status=todo&status=done');
      expect(statuses.body.items.map((i) => i.key)).toEqual(['WEB-1', 'WEB-3', 'WEB-4']);
      const comma = await api.get<Page<WorkItemView>>('/work_items?status=todo,done');
      expect(comma.body.items).toEqual(statuses.body.items);

      const page = await api.get<Page<WorkItemView>>('/work_items?all=true&limit=2&offset=1');
      expect(page.body.items.map((i) => i.key)).toEqual(['WEB-2', 'WEB-3']);
      expect(page.body.total).toBe(4);

      expect((await api.get<Page<WorkItemView>>('/work_items?assignee=ann@example.com')).body.items.map((i) => i.key)).toEqual([
        'WEB-4',
      ]);
      expect((await api.get<Page<WorkItemView>>('/work_items?priority=high&search=on')).body.items.map((i) => i.key)).toEqual([
        'WEB-1',
      ]);
    });

    it('sorts lists in the database with sort=-field,field; an unknown field is a 400 naming sort', async () => {
      await item('One', { priority: 'low', story_points: 2 });
      await item('Two', { priority: 'critical' });
      await item('Three', { priority: 'high', story_points: 5 });
      await item('Four', { priority: 'critical', story_points: 1 });
      const keys = async (query: string) =>
        (await api.get<Page<WorkItemView>>(`/work_items?${query}`)).body.items.map((i) => i.key);
      expect(await keys('sort=-priority')).toEqual(['WEB-2', 'WEB-4', 'WEB-3', 'WEB-1']);
      expect(await keys('sort=-priority,-item_number')).toEqual(['WEB-4', 'WEB-2', 'WEB-3', 'WEB-1']);
      expect(await keys('sort=story_points')).toEqual(['WEB-4', 'WEB-1', 'WEB-3', 'WEB-2']);
      const page = await api.get<Page<WorkItemView>>('/work_items?sort=title&limit=2&offset=1');
      expect(page.body.items.map((i) => i.title)).toEqual(['One', 'Three']);
      expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
      const bad = await api.get<ErrorBody>('/work_items?sort=-secret');
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'validation_failed', field: 'sort' });
    });

    it('moves an item to a lane and a position, and deletes it as a tombstone', async () => {
      await item('A', { status: 'todo' });
      await item('B', { status: 'todo' });
      const moved = await api.post<WorkItemView>('/work_items/WEB-2/move', { status: 'todo', position: 1 });
      expect(moved.status).toBe(200);
      const board = await api.get<Board>('/board');
      expect(board.body.columns.find((c) => c.lane.status_value === 'todo')!.items.map((i) => i.key)).toEqual(['WEB-2', 'WEB-1']);

      const removed = await api.delete<WorkItemView>('/work_items/WEB-1');
      expect(removed.body.deleted_at).not.toBeNull();
      expect((await api.get('/work_items/WEB-1')).status).toBe(404);
      const withDeleted = await api.get<Page<WorkItemView>>('/work_items?deleted=true');
      expect(withDeleted.body.items.map((i) => i.key)).toEqual(['WEB-1', 'WEB-2']);
    });

    it('shows details: parent, children, dependencies, comments and time', async () => {
      await item('Parent', { item_type: 'story' });
      await item('Child', { parent: 'WEB-1' });
      await api.post('/dependencies', { blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-1' });
      await api.post('/comments', { item: 'WEB-1', content: 'Note' });
      await api.post('/time_entries', { item: 'WEB-1', duration_seconds: 600 });
      const details = await api.get<ItemDetails>('/work_items/WEB-1/details');
      expect(details.body.children.map((c) => c.key)).toEqual(['WEB-2']);
      expect(details.body.blocked_by.map((d) => d.blocking_key)).toEqual(['WEB-2']);
      expect(details.body.comments.map((c) => c.content)).toEqual(['Note']);
      expect(details.body.total_seconds).toBe(600);
    });
  });

  it('answers get-by-key (one query) with the very bytes get-by-id (the tracker) answers', async () => {
    const data = edgeCaseData();
    await loadRecords(app.store, data);
    const items = data.work_items;
    expect(items.length).toBe(60);
    let live = 0;
    for (const item of items) {
      const byKey = await api.get(`/work_items/EDGE-${item.item_number}`);
      const byLowerKey = await api.get(`/work_items/edge-${item.item_number}`);
      const byId = await api.get(`/work_items/${item.id}`);
      expect(byKey.status).toBe(byId.status);
      expect(byKey.headers.get('content-type')).toBe(byId.headers.get('content-type'));
      if (byId.status !== 200) {
        // A tombstone: the tracker answers, naming the ref it was asked for.
        expect((byKey.body as ErrorBody).error.message).toBe(`work item "EDGE-${item.item_number} (deleted)" not found`);
        continue;
      }
      expect(byKey.text).toBe(byId.text);
      expect(byLowerKey.text).toBe(byId.text);
      live++;
    }
    expect(live).toBe(items.filter((i) => i.deleted_at === null).length);
    expect(live).toBeLessThan(60);
  });

  it("answers a list page with the very bytes JSON.stringify makes of the tracker's page", async () => {
    const data = edgeCaseData();
    await loadRecords(app.store, data);
    const tracker = new LocalTracker({
      store: app.store,
      actor: 'server@example.com',
      clock: app.deps.clock,
      doneStatuses: ['done'],
    });
    const queries: [string, ItemQuery][] = [
      ['', {}],
      ['?all=true&deleted=true&limit=100', { all: true, deleted: true, limit: 100 }],
      [
        '?project=EDGE&all=true&limit=7&offset=5&sort=-priority,title',
        { project: 'EDGE', all: true, limit: 7, offset: 5, sort: '-priority,title' },
      ],
      ['?search=quotes&all=true', { search: 'quotes', all: true }],
      ['?status=done&limit=3', { status: ['done'], limit: 3 }],
      ['?project=WEB', { project: 'WEB' }],
    ];
    for (const [query, parsed] of queries) {
      const page = await api.get<Page<WorkItemView>>(`/work_items${query}`);
      expect(page.status, page.text).toBe(200);
      expect(page.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(page.text, query).toBe(JSON.stringify(await tracker.listItems(parsed)));
    }
    expect((await api.get<Page<WorkItemView>>('/work_items?all=true&deleted=true&limit=100')).body.items.length).toBe(60);
  });

  describe('sprints and lanes', () => {
    it('creates, lists, gets by name or id, patches and deletes sprints', async () => {
      const s = await api.post<Sprint>('/sprints', { name: 'Sprint 1', start_date: '2026-12-01', end_date: '2026-12-14' });
      expect(s.status).toBe(201);
      await api.post('/sprints', { name: 'Sprint 2', start_date: '2026-12-15', end_date: '2026-12-28', status: 'active' });
      expect((await api.get<Page<Sprint>>('/sprints')).body.items.map((x) => x.name)).toEqual(['Sprint 1', 'Sprint 2']);
      expect((await api.get<Page<Sprint>>('/sprints?status=active&project=WEB')).body.items.map((x) => x.name)).toEqual([
        'Sprint 2',
      ]);
      expect((await api.get<Sprint>('/sprints/Sprint%201')).body.id).toBe(s.body.id);
      expect((await api.get<Sprint>('/sprints/active?project=WEB')).body.name).toBe('Sprint 2');
      expect((await api.patch<Sprint>(`/sprints/${s.body.id}`, { goal: 'Ship', version: 1 })).body.goal).toBe('Ship');
      expect((await api.delete<Sprint>('/sprints/Sprint%201')).body.deleted_at).not.toBeNull();
    });

    it('creates, lists, gets, patches and deletes lanes', async () => {
      const lane = await api.post<SwimLane>('/swim_lanes', { name: 'QA', status_value: 'qa', project: 'WEB' });
      expect(lane.status).toBe(201);
      const columns = await api.get<Page<SwimLane>>('/swim_lanes?project=WEB');
      expect(columns.body.items.map((l) => l.status_value)).toEqual(['backlog', 'todo', 'in_progress', 'review', 'done', 'qa']);
      expect((await api.get<SwimLane>('/swim_lanes/qa')).body.id).toBe(lane.body.id);
      expect((await api.get<SwimLane>(`/swim_lanes/${lane.body.id.slice(-12)}`)).body.name).toBe('QA');
      expect((await api.patch<SwimLane>('/swim_lanes/qa', { name: 'Testing', version: 1 })).body.name).toBe('Testing');
      expect((await api.delete<SwimLane>('/swim_lanes/qa')).body.deleted_at).not.toBeNull();
    });

    it('sorts and pages lists the tracker returns whole', async () => {
      const sorted = await api.get<Page<SwimLane>>('/swim_lanes?sort=-position&limit=2');
      expect(sorted.body.items.map((l) => l.status_value)).toEqual(['done', 'review']);
      expect(sorted.body.total).toBe(5);
      const second = await api.get<Page<SwimLane>>('/swim_lanes?sort=name&limit=2&offset=2');
      expect(second.body.items.map((l) => l.name)).toEqual(['In progress', 'Review']);
      const bad = await api.get<ErrorBody>('/swim_lanes?sort=secret');
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('sort');
    });
  });

  describe('comments, dependencies and time entries', () => {
    it('comments: create, list per item, get by id tail, patch with version, delete', async () => {
      await item('Talked about');
      const c = await api.post<Comment>('/comments', { item: 'WEB-1', content: 'First' });
      expect(c.status).toBe(201);
      await api.post('/comments', { item: 'WEB-1', content: 'Second' });
      expect((await api.get<Page<Comment>>('/comments?item=WEB-1')).body.items.map((x) => x.content)).toEqual([
        'First',
        'Second',
      ]);
      expect((await api.get<Comment>(`/comments/${c.body.id.slice(-8)}`)).body.content).toBe('First');
      expect((await api.patch<Comment>(`/comments/${c.body.id}`, { content: 'Edited', version: 1 })).body.version).toBe(2);
      expect((await api.patch(`/comments/${c.body.id}`, { content: 'Stale', version: 1 })).status).toBe(409);
      expect((await api.delete<Comment>(`/comments/${c.body.id}`)).body.deleted_at).not.toBeNull();
      expect((await api.get(`/comments/${c.body.id}`)).status).toBe(404);
      const missingItem = await api.get<ErrorBody>('/comments');
      expect(missingItem.status).toBe(400);
      expect(missingItem.body.error.field).toBe('item');
    });

    it('dependencies: create with keys, list, get, delete; a blocks cycle is refused', async () => {
      await item('A');
      await item('B');
      const dep = await api.post<DependencyView>('/dependencies', {
        blocking: 'WEB-1',
        dependency_type: 'blocks',
        blocked: 'WEB-2',
      });
      expect(dep.status).toBe(201);
      expect(dep.body).toMatchObject({ blocking_key: 'WEB-1', blocked_key: 'WEB-2' });
      const cycle = await api.post<ErrorBody>('/dependencies', {
        blocking: 'WEB-2',
        dependency_type: 'blocks',
        blocked: 'WEB-1',
      });
      expect(cycle.status).toBe(409);
      expect(cycle.body.error.code).toBe('dependency_cycle');
      expect((await api.get<Page<DependencyView>>('/dependencies?item=WEB-2')).body.items.map((d) => d.id)).toEqual([
        dep.body.id,
      ]);
      expect((await api.get<DependencyView>(`/dependencies/${dep.body.id}`)).body.blocked_key).toBe('WEB-2');
      expect((await api.delete<DependencyView>(`/dependencies/${dep.body.id}`)).body.deleted_at).not.toBeNull();
      expect((await api.get<Page<DependencyView>>('/dependencies')).body.total).toBe(0);
    });

    it('time: add, start and stop the actor timer, list by item and user, get one', async () => {
      await item('Timed');
      const added = await api.post<TimeEntryView>('/time_entries', { item: 'WEB-1', duration_seconds: 5400 });
      expect(added.body).toMatchObject({ key: 'WEB-1', duration_seconds: 5400, user_id: 'server@example.com' });
      const started = await api.post<TimeEntryView>('/time_entries/start', { item: 'WEB-1' }, { actor: 'ann@example.com' });
      expect(started.status).toBe(201);
      const again = await api.post<ErrorBody>('/time_entries/start', { item: 'WEB-1' }, { actor: 'ann@example.com' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('timer_running');
      expect((await api.post<ErrorBody>('/time_entries/stop')).body.error.code).toBe('no_timer');
      const stopped = await api.post<TimeEntryView>('/time_entries/stop', undefined, { actor: 'ann@example.com' });
      expect(stopped.body.ended_at).not.toBeNull();
      expect((await api.get<Page<TimeEntryView>>('/time_entries?item=WEB-1')).body.total).toBe(2);
      expect((await api.get<Page<TimeEntryView>>('/time_entries?user=ann@example.com')).body.items.map((t) => t.id)).toEqual([
        started.body.id,
      ]);
      expect((await api.get<TimeEntryView>(`/time_entries/${added.body.id}`)).body.key).toBe('WEB-1');
    });

    it('time: patch with a version (409 with the current entry when stale), refuse a running duration, delete', async () => {
      await item('Timed');
      const added = await api.post<TimeEntryView>('/time_entries', {
        item: 'WEB-1',
        duration_seconds: 1800,
        started_at: '2026-11-20T09:00:00Z',
      });
      const at = `/time_entries/${added.body.id.slice(-12)}`;
      const patched = await api.patch<TimeEntryView>(at, { duration_seconds: 3600, description: 'pairing', version: 1 });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({
        key: 'WEB-1',
        version: 2,
        duration_seconds: 3600,
        ended_at: '2026-11-20T10:00:00.000Z',
        description: 'pairing',
      });
      const stale = await api.patch<ErrorBody>(at, { started_at: '2026-11-20T08:00:00Z', version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toMatchObject({ code: 'version_conflict', field: 'version' });
      expect((stale.body.error.details as { current: TimeEntryView }).current).toMatchObject({ id: added.body.id, version: 2 });
      expect((await api.patch<ErrorBody>(at, { ended_at: '2026-11-20T11:00:00Z' })).body.error).toMatchObject({
        code: 'validation_failed',
      });

      const running = await api.post<TimeEntryView>('/time_entries/start', { item: 'WEB-1' });
      const refused = await api.patch<ErrorBody>(`/time_entries/${running.body.id}`, { duration_seconds: 60 });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('timer_running');
      expect(refused.body.error.message).toContain('pm time stop');

      const removed = await api.delete<TimeEntryView>(`/time_entries/${running.body.id}`);
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ id: running.body.id, key: 'WEB-1' });
      expect(removed.body.deleted_at).not.toBeNull();
      expect((await api.get<ErrorBody>(`/time_entries/${running.body.id}`)).body.error.message).toContain('(deleted)');
      expect((await api.post<ErrorBody>('/time_entries/stop')).body.error.code).toBe('no_timer');
      expect((await api.get<Page<TimeEntryView>>('/time_entries')).body.items.map((t) => t.id)).toEqual([added.body.id]);
      expect((await api.delete(`/time_entries/${running.body.id}`)).status).toBe(404);
    });
  });

  describe('views and conflicts', () => {
    it('board and ready', async () => {
      await item('Blocker', { status: 'todo', priority: 'critical' });
      await item('Blocked', { status: 'todo' });
      await api.post('/dependencies', { blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
      const board = await api.get<Board>('/board?project=WEB');
      expect(board.body.project.key).toBe('WEB');
      expect(board.body.columns.map((c) => c.lane.status_value)).toEqual(['backlog', 'todo', 'in_progress', 'review', 'done']);
      expect((await api.get<{ items: WorkItemView[] }>('/ready')).body.items.map((i) => i.key)).toEqual(['WEB-1']);
    });

    it('lists conflicts and resolves one', async () => {
      const one = await item('Disputed');
      const at = '2026-11-21T10:00:00.000Z';
      const conflict: Conflict = {
        id: '0192f0c4-7a3e-7b21-9c4d-5e6f7a8b9c0d',
        entity_type: 'work_items',
        record_id: one.id,
        field: 'title',
        ours_value: 'Disputed',
        theirs_value: 'Settled',
        winner: 'ours',
        reason: 'test',
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
      await loadRecords(app.store, { conflicts: [conflict] });
      const listed = await api.get<Page<Conflict>>('/conflicts?record=WEB-1');
      expect(listed.body.items.map((c) => c.id)).toEqual([conflict.id]);
      const resolved = await api.post<ConflictResolution>(`/conflicts/${conflict.id.slice(-12)}/resolve`, { take: 'theirs' });
      expect(resolved.status, resolved.text).toBe(200);
      expect(resolved.body.conflict.resolution).toBe('theirs');
      expect((await api.get<WorkItemView>('/work_items/WEB-1')).body.title).toBe('Settled');
      expect((await api.get<Page<Conflict>>('/conflicts')).body.total).toBe(0);
      expect((await api.get<Page<Conflict>>('/conflicts?all=true')).body.total).toBe(1);
    });
  });

  describe('health and OpenAPI', () => {
    it('reports the database as reachable with its schema version and the uptime', async () => {
      const health = await api.get<{ status: string; database: { dialect: string; reachable: boolean; schema_version: number } }>(
        '/health',
      );
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        database: { dialect, reachable: true, schema_version: LATEST_SCHEMA_VERSION },
      });
    });

    it('documents every route with the schemas that validate requests', async () => {
      const doc = await api.get<{
        openapi: string;
        paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>>;
      }>('/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
      const routes = Object.entries(doc.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
      for (const type of ['projects', 'sprints', 'swim_lanes', 'work_items', 'comments']) {
        for (const op of [
          `get /api/v1/${type}`,
          `get /api/v1/${type}/{ref}`,
          `post /api/v1/${type}`,
          `patch /api/v1/${type}/{ref}`,
        ]) {
          expect(routes).toContain(op);
        }
      }
      expect(routes).toEqual(
        expect.arrayContaining([
          'patch /api/v1/time_entries/{ref}',
          'delete /api/v1/time_entries/{ref}',
          'post /api/v1/sync/import',
        ]),
      );
      const body = JSON.stringify(doc.body.paths['/api/v1/work_items']!.post!.requestBody);
      expect(body).toContain('"item_type"');
      expect(body).toContain('"maxLength":500');
      const params = doc.body.paths['/api/v1/work_items']!.get!.parameters!.map((p) => p.name);
      expect(params).toEqual(expect.arrayContaining(['project', 'status', 'limit', 'offset', 'all', 'sort']));
    });
  });
});
