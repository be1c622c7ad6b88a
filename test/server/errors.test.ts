import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/index.js';
import { HTTP_STATUS, createApp, type ErrorBody } from '../../src/server/index.js';
import { snapshotText } from '../helpers/snapshot.js';
import { testApp, type TestApp } from '../helpers/server.js';
import { openStore } from '../../src/store/index.js';
import { DIALECTS, storeTarget } from '../helpers/stores.js';

async function withProject(dialect: (typeof DIALECTS)[number], settings = {}): Promise<TestApp> {
  const app = await testApp(dialect, { settings });
  expect((await app.api.post('/projects', { key: 'WEB', title: 'Website' })).status).toBe(201);
  return app;
}

function expectError(reply: { status: number; body: unknown; text: string }, status: number, code: string, field?: string) {
  expect(reply.status, reply.text).toBe(status);
  const body = reply.body as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (field !== undefined) expect(body.error.field).toBe(field);
}

describe('error statuses', () => {
  it('map the error codes to the statuses the API documents, and every code to one', () => {
    const documented: Record<string, number> = {
      validation_failed: 400,
      ambiguous_ref: 400,
      cross_project_parent: 400,
      self_reference: 400,
      sprint_dates: 400,
      deleted_reference: 400,
      snapshot_invalid: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      already_exists: 409,
      version_conflict: 409,
      dependency_cycle: 409,
      parent_cycle: 409,
      has_dependents: 409,
      timer_running: 409,
      no_timer: 409,
      replace_refused: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      rate_limited: 429,
      internal: 500,
    };
    for (const [code, status] of Object.entries(documented)) expect(HTTP_STATUS[code as ErrorCode], code).toBe(status);
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code], code).toBeGreaterThanOrEqual(400);
  });
});

describe.each(DIALECTS)('errors over HTTP on %s', (dialect) => {
  it('400 names the field, for bad values, unknown fields and query parameters alike', async () => {
    const { api } = await withProject(dialect);
    expectError(await api.post('/work_items', { item_type: 'saga', title: 'x' }), 400, 'validation_failed', 'item_type');
    expectError(await api.post('/work_items', { item_type: 'task', title: '   ' }), 400, 'validation_failed', 'title');
    expectError(await api.post('/work_items', { item_type: 'task', title: 'x', colour: 'red' }), 400, 'validation_failed');
    expectError(await api.get('/work_items?limit=0'), 400, 'validation_failed', 'limit');
    expectError(await api.get('/work_items?limit=ten'), 400, 'validation_failed', 'limit');
    const several = await api.post<ErrorBody>('/sprints', { name: '', start_date: 'soon', end_date: '2026-01-01' });
    expect((several.body.error.details as { issues: unknown[] }).issues).toHaveLength(2);
  });

  it('400 for invariants at the edge of the request: sprint dates, cross-project parent, self-reference, ambiguous refs', async () => {
    const { api } = await withProject(dialect);
    expectError(
      await api.post('/sprints', { name: 'S', start_date: '2026-12-14', end_date: '2026-12-01' }),
      400,
      'sprint_dates',
      'end_date',
    );
    await api.post('/projects', { key: 'OPS', title: 'Operations' });
    await api.post('/work_items', { project: 'WEB', item_type: 'epic', title: 'Epic' });
    expectError(
      await api.post('/work_items', { project: 'OPS', item_type: 'task', title: 'Elsewhere', parent: 'WEB-1' }),
      400,
      'cross_project_parent',
      'parent_id',
    );
    expectError(
      await api.post('/dependencies', { blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-1' }),
      400,
      'self_reference',
      'blocked_item_id',
    );
    for (const project of ['WEB', 'OPS']) {
      await api.post('/sprints', { project, name: 'Sprint 1', start_date: '2026-12-01', end_date: '2026-12-14' });
    }
    expectError(await api.get('/sprints/Sprint%201'), 400, 'ambiguous_ref');
  });

  it('404 for unknown records and unknown routes', async () => {
    const { api } = await withProject(dialect);
    const missing = await api.get<ErrorBody>('/work_items/WEB-99');
    expectError(missing, 404, 'not_found');
    expect(missing.body.error.message).toBe('work item "WEB-99" not found');
    expectError(await api.get('/projects/NOPE'), 404, 'not_found');
    expectError(await api.get('/nothing/here'), 404, 'not_found');
    expectError(await api.call('PATCH', '/dependencies/abcdef123456', { body: {} }), 404, 'not_found');
  });

  it('409 for conflicts with the current state', async () => {
    const { api } = await withProject(dialect);
    expectError(await api.post('/projects', { key: 'WEB', title: 'Again' }), 409, 'already_exists', 'key');
    await api.post('/work_items', { item_type: 'epic', title: 'A' });
    await api.post('/work_items', { item_type: 'story', title: 'B', parent: 'WEB-1' });
    expectError(await api.patch('/work_items/WEB-1', { parent: 'WEB-2' }), 409, 'parent_cycle', 'parent_id');
    await api.post('/dependencies', { blocking: 'WEB-1', dependency_type: 'blocks', blocked: 'WEB-2' });
    expectError(
      await api.post('/dependencies', { blocking: 'WEB-2', dependency_type: 'blocks', blocked: 'WEB-1' }),
      409,
      'dependency_cycle',
    );
    expectError(await api.delete('/swim_lanes/backlog'), 409, 'has_dependents');
    expectError(await api.patch('/work_items/WEB-1', { title: 'Stale', version: 7 }), 409, 'version_conflict', 'version');
    expectError(await api.post('/time_entries/stop'), 409, 'no_timer');
  });

  it('409 when a replace import would discard changes never exported', async () => {
    const { api, store } = await withProject(dialect);
    const snapshot = await snapshotText(store);
    await api.post('/work_items', { item_type: 'task', title: 'Not exported anywhere' });
    const refused = await api.call('POST', '/sync/import?mode=replace', {
      raw: snapshot,
      headers: { 'content-type': 'application/json' },
    });
    expectError(refused, 409, 'replace_refused');
    expect((await api.get('/work_items/WEB-1')).status).toBe(200);
  });

  it('413 for a JSON body over the limit, before parsing it', async () => {
    const { api } = await withProject(dialect, { jsonLimit: 4096 });
    const reply = await api.post('/work_items', { item_type: 'task', title: 'x', description: 'y'.repeat(5000) });
    expectError(reply, 413, 'payload_too_large');
  });

  it('415 for anything but JSON, on JSON routes and the import alike', async () => {
    const { api } = await withProject(dialect);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      expectError(
        await api.call('POST', '/work_items', { raw: 'item_type=task&title=x', headers: { 'content-type': type } }),
        415,
        'unsupported_media_type',
      );
    }
    expectError(
      await api.call('POST', '/sync/import', { raw: '{}', headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
  });

  it('429 past the sync rate limit, with Retry-After', async () => {
    const { api } = await withProject(dialect, { syncRequestsPerMinute: 2 });
    expect((await api.get('/sync/export')).status).toBe(200);
    expect((await api.get('/sync/export')).status).toBe(200);
    const limited = await api.get('/sync/export');
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api.get('/work_items')).status).toBe(200);
  });

  it('500 without internals, logged on the server with the cause', async () => {
    const target = storeTarget(dialect);
    const store = await openStore(target);
    const app = await testApp(dialect, { store, target });
    const { api } = app;
    await api.post('/projects', { key: 'WEB', title: 'Website' });
    // Break the database under the running server: the failure is pm's, not the request's.
    await store.close();
    const broken = await api.get<ErrorBody>('/work_items/WEB-1');
    expectError(broken, 500, 'internal');
    expect(broken.body.error.message).toMatch(/^internal server error \(request [^)]+\): see the server log$/);
    expect(broken.text).not.toMatch(/sqlite|postgres|pool|connection|at .*\.js/i);
    const logged = app.logs.map((l) => JSON.parse(l) as { level: number; err?: { message?: string; stack?: string } });
    expect(logged.some((l) => l.level >= 50 && l.err?.stack)).toBe(true);
  });
});

describe('a stopping server', () => {
  it('answers the request in flight, then 503 shutting_down to one that arrives while it drains', async () => {
    const app = await createApp((await testApp('sqlite')).deps);
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    app.addHook('onRequest', (_request, _reply, done) => {
      arrived();
      done();
    });
    let draining!: () => void;
    const stopping = new Promise<void>((resolve) => (draining = resolve));
    app.addHook('preClose', (done) => {
      draining();
      done();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1');
    let answers = '';
    socket.on('data', (d: Buffer) => (answers += d.toString()));
    const ended = new Promise((resolve) => socket.on('close', resolve));

    const doc = '{"schema_version":1,"projects":[]}';
    socket.write(
      `POST /api/v1/sync/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${doc.length}\r\n\r\n${doc.slice(0, 10)}`,
    );
    await inFlight;
    const closed = app.close();
    await stopping;
    // The rest of the upload, and another request behind it on the same connection.
    socket.write(`${doc.slice(10)}GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await ended;
    await closed;

    const [first, second] = answers.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(first).toContain('"mode":"merge"');
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toContain('{"error":{"code":"shutting_down","message":"the server is stopping: try again when it is back"}}');
  });
});
