import { describe, expect, it } from 'vitest';
import { createToken, revokeToken, type ErrorBody } from '../../src/server/index.js';
import type { Page, WorkItemView } from '../../src/tracker/index.js';
import { boundPm } from '../helpers/cli.js';
import { serveWorkspace, testApp } from '../helpers/server.js';
import { DIALECTS } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

const clock = () => Date.parse('2026-11-21T10:00:00.000Z');

describe.each(DIALECTS)('security on %s', (dialect) => {
  async function guarded() {
    const app = await testApp(dialect, { settings: { requireToken: true } });
    const write = await createToken(app.store, { name: 'ci', scope: 'write', actor: 'admin@example.com', clock });
    const read = await createToken(app.store, { name: 'dashboard', scope: 'read', actor: 'admin@example.com', clock });
    expect((await app.api.post('/projects', { key: 'WEB', title: 'Website' }, { token: write.secret })).status).toBe(201);
    return { ...app, write: write.secret, read: read.secret, readId: read.token.id };
  }

  it('refuses requests without a token (401), and a read token on a write route (403)', async () => {
    const { api, read, write } = await guarded();
    const none = await api.get<ErrorBody>('/work_items');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="pm"');
    expect((await api.get('/health')).status).toBe(401);

    expect((await api.get('/work_items', { token: read })).status).toBe(200);
    const forbidden = await api.post<ErrorBody>('/work_items', { item_type: 'task', title: 'x' }, { token: read });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    expect(
      (await api.call('POST', '/sync/import', { token: read, raw: '{}', headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(403);
    expect((await api.post('/work_items', { item_type: 'task', title: 'x' }, { token: write })).status).toBe(201);
  });

  it('refuses malformed, unknown and look-alike tokens without echoing them', async () => {
    const { api } = await guarded();
    const fake = `pm_${'A'.repeat(43)}`;
    for (const authorization of [`Bearer ${fake}`, 'Bearer not-a-token', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const reply = await api.get<ErrorBody>('/work_items', { headers: { authorization } });
      expect(reply.status, authorization).toBe(401);
      expect(reply.text).not.toContain(fake);
      expect(reply.text).not.toContain('not-a-token');
    }
  });

  it('checks a presented token even where none is required (loopback)', async () => {
    const app = await testApp(dialect);
    expect((await app.api.get('/projects')).status).toBe(200);
    expect((await app.api.get('/projects', { token: `pm_${'B'.repeat(43)}` })).status).toBe(401);
    const read = await createToken(app.store, { name: 'r', scope: 'read', actor: 'a', clock });
    expect((await app.api.post('/projects', { key: 'X1', title: 'x' }, { token: read.secret })).status).toBe(403);
  });

  it('stops honouring a revoked token at once', async () => {
    const { api, read, readId, store } = await guarded();
    expect((await api.get('/work_items', { token: read })).status).toBe(200);
    await revokeToken(store, readId.slice(-8), { actor: 'ann@example.com', clock });
    const after = await api.get<ErrorBody>('/work_items', { token: read });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('the token was revoked');
  });

  it('keeps secrets out of the database, the logs and the answers', async () => {
    const app = await guarded();
    await app.api.get('/work_items', { token: app.read });
    await app.api.post('/work_items', { item_type: 'task', title: 'x' }, { token: app.read });
    await app.api.get('/nope', { token: app.write });
    const tokens = await app.store.listTokens();
    expect(JSON.stringify(tokens)).not.toContain(app.read);
    expect(Object.keys(tokens[0]!).sort()).toEqual(['created_at', 'created_by', 'id', 'name', 'revoked_at', 'scope']);
    const logs = app.logs.join('\n');
    expect(logs).not.toContain(app.read);
    expect(logs).not.toContain(app.write);
  });

  it('stores and returns SQL-shaped strings verbatim, and searches them as text', async () => {
    const app = await testApp(dialect);
    await app.api.post('/projects', { key: 'WEB', title: 'Website' });
    const nasty = [
      "Robert'); DROP TABLE work_items;--",
      '" OR 1=1 --',
      "'; delete from projects where '1'='1",
      '100% of _all_ \\ backslashes',
      '$1 $$ ::text /* comment */',
    ];
    for (const title of nasty) {
      const created = await app.api.post<WorkItemView>('/work_items', { item_type: 'task', title, description: title });
      expect(created.status).toBe(201);
      expect(created.body.title).toBe(title);
    }
    const all = await app.api.get<Page<WorkItemView>>('/work_items');
    expect(all.body.items.map((i) => i.title)).toEqual(nasty);
    const found = await app.api.get<Page<WorkItemView>>(`/work_items?search=${encodeURIComponent("'1'='1")}`);
    expect(found.body.items.map((i) => i.title)).toEqual([nasty[2]]);
    const percent = await app.api.get<Page<WorkItemView>>(`/work_items?search=${encodeURIComponent('100%')}`);
    expect(percent.body.items.map((i) => i.title)).toEqual([nasty[3]]);
    expect((await app.api.get<WorkItemView>(`/work_items/${encodeURIComponent("WEB-1' OR '1'='1")}`)).status).toBe(404);
  });

  it('answers a 10 MB title with 413 and a long one under the limit with 400 on the field', async () => {
    const app = await testApp(dialect);
    await app.api.post('/projects', { key: 'WEB', title: 'Website' });
    const huge = await app.api.post<ErrorBody>('/work_items', { item_type: 'task', title: 'x'.repeat(10 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const long = await app.api.post<ErrorBody>('/work_items', { item_type: 'task', title: 'x'.repeat(600_000) });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ code: 'validation_failed', field: 'title' });
    expect((await app.api.get<Page<WorkItemView>>('/work_items')).body.total).toBe(0);
  });

  it('answers malformed JSON and prototype pollution with 400, the wrong type with 415', async () => {
    const app = await testApp(dialect);
    const json = { 'content-type': 'application/json' };
    for (const raw of ['{"key": "WEB",', '{"key": WEB}', '', '{"__proto__": {"admin": true}, "key": "WEB", "title": "x"}']) {
      const reply = await app.api.call<ErrorBody>('POST', '/projects', { raw, headers: json });
      expect(reply.status, raw).toBe(400);
      expect(reply.body.error.code).toBe('validation_failed');
    }
    const typed = await app.api.call<ErrorBody>('POST', '/projects', {
      raw: '{"key":"WEB","title":"x"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(typed.status).toBe(415);
    expect((await app.api.get<{ items: unknown[] }>('/projects')).body.items).toEqual([]);
  });

  it('sends security headers', async () => {
    const app = await testApp(dialect);
    const reply = await app.api.get('/projects');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('x-frame-options')).toBe('DENY');
    expect(reply.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(reply.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('x-powered-by')).toBeNull();
    const error = await app.api.get('/projects/NOPE');
    expect(error.headers.get('x-content-type-options')).toBe('nosniff');
    expect(error.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  });
});

describe('tokens from the CLI against a running server', () => {
  it('pm token create, list and revoke work on the served database, and revocation is immediate', async () => {
    const cwd = tempDir();
    const cli = boundPm(cwd);
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    const server = await serveWorkspace(cwd, { settings: { requireToken: true } });
    const created = await cli.ok(['token', 'create', '--scope', 'write', '--name', 'ci']);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^pm_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('only time its secret is shown');
    const listed = await cli.json<{ id: string; name: string; scope: string; revoked_at: string | null }[]>(['token', 'list']);
    expect(listed.map((t) => [t.name, t.scope, t.revoked_at])).toEqual([['ci', 'write', null]]);
    expect(JSON.stringify(listed)).not.toContain(secret);

    expect((await server.api.get('/projects', { token: secret })).status).toBe(200);
    const through = await cli.run(['--server', server.url, 'item', 'add', '--type', 'task', 'Via server'], { PM_TOKEN: secret });
    expect(through.code, through.stderr).toBe(0);
    const refused = await cli.run(['--server', server.url, 'item', 'list']);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain('this server needs a token');

    await cli.ok(['token', 'revoke', listed[0]!.id.slice(-12)]);
    expect((await server.api.get('/projects', { token: secret })).status).toBe(401);
    const revoked = await cli.run(['--server', server.url, 'item', 'list'], { PM_TOKEN: secret });
    expect(revoked.code).toBe(8);
    expect(revoked.stderr).toBe('error: the token was revoked\n');
  });
});
