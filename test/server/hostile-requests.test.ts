import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/server/index.js';
import { SyncEngine } from '../../src/sync/index.js';
import { openStore } from '../../src/store/index.js';
import { pathsFor, resolveConnection } from '../../src/workspace/index.js';
import { pmProcess } from '../helpers/cli.js';
import { servePm, testApp, type TestApp } from '../helpers/server.js';
import { storeTarget } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

/** Requests a browser on a hostile page, or a hand-made client, can send: each gets pm's error shape. */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ErrorBody;
  text: string;
}

/** One HTTP request as written, Host header included (fetch would set its own). */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers, setHost: headers.host === undefined }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as ErrorBody, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes sent as they are on a fresh connection: requests no HTTP client would make. */
function rawBytes(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

function expectPmError(reply: { status: number; body: unknown; text: string }, status: number, code: string, field?: string) {
  expect(reply.status, reply.text).toBe(status);
  const body = reply.body as ErrorBody;
  expect(Object.keys(body), reply.text).toEqual(['error']);
  expect(body.error.code, reply.text).toBe(code);
  expect(reply.text).not.toMatch(/ at \S+ \(/); // no stack
  if (field !== undefined) expect(body.error.field).toBe(field);
}

async function withProject(settings = {}): Promise<TestApp> {
  const app = await testApp('sqlite', { settings });
  expect((await app.api.post('/projects', { key: 'WEB', title: 'Website' })).status).toBe(201);
  return app;
}

describe('the Host header (DNS rebinding)', () => {
  it('a tokenless server answers only loopback host names, on any port', async () => {
    const app = await withProject();
    for (const host of ['127.0.0.1', 'localhost:4400', '127.0.0.1:1', '[::1]:4400', 'LOCALHOST'])
      expect((await raw(app.url, 'GET', '/api/v1/projects', { host })).status, host).toBe(200);
    for (const host of ['evil.example', 'evil.example:4400', 'localhost.evil.example', '127.0.0.1.nip.io:80', '10.0.0.1']) {
      const read = await raw(app.url, 'GET', '/api/v1/projects', { host });
      expectPmError(read, 403, 'host_not_allowed');
      expect(read.text).not.toContain('WEB');
      expect(read.headers['x-content-type-options']).toBe('nosniff');
    }
    const write = await raw(
      app.url,
      'POST',
      '/api/v1/projects',
      { host: 'rebound.example:4400', 'content-type': 'application/json' },
      JSON.stringify({ key: 'OPS', title: 'x' }),
    );
    expectPmError(write, 403, 'host_not_allowed');
    expect((await app.api.get<{ total: number }>('/projects')).body.total).toBe(1);
    expect((await raw(app.url, 'GET', '/', { host: 'evil.example' })).status).toBe(403);
  });

  it('answers the host names it is told to allow', async () => {
    const app = await withProject({ allowedHosts: ['pm.example.com'] });
    expect((await raw(app.url, 'GET', '/api/v1/projects', { host: 'pm.example.com:8443' })).status).toBe(200);
    expect((await raw(app.url, 'GET', '/api/v1/projects', { host: 'PM.Example.com' })).status).toBe(200);
    expect((await raw(app.url, 'GET', '/api/v1/projects', { host: 'other.example.com' })).status).toBe(403);
  });

  it('pm serve takes the names from [server] allowed_hosts and --allow-host', async () => {
    const cwd = tempDir();
    expect((await pmProcess(['init'], { cwd })).code).toBe(0);
    const config = join(cwd, '.pm', 'config.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('# allowed_hosts = ["pm.local"]', 'allowed_hosts = ["pm.lan"]'));
    const url = await servePm(cwd, {}, ['--allow-host', 'pm.example.com,tracker.example.com']);
    for (const host of ['pm.lan:4400', 'pm.example.com', 'tracker.example.com:80', 'localhost'])
      expect((await raw(url, 'GET', '/api/v1/health', { host })).status, host).toBe(200);
    expectPmError(await raw(url, 'GET', '/api/v1/health', { host: 'pm.local' }), 403, 'host_not_allowed');
  });

  it('a server that requires tokens answers any host name (a rebinding page cannot hold the token)', async () => {
    const app = await testApp('sqlite', { settings: { requireToken: true } });
    expectPmError(await raw(app.url, 'GET', '/api/v1/projects', { host: 'pm.lan:4400' }), 401, 'unauthorized');
  });
});

describe('writes from another site (CSRF)', () => {
  it('refuses a bodiless POST with a foreign Origin, and the timer keeps running', async () => {
    const app = await withProject();
    await app.api.post('/work_items', { item_type: 'task', title: 'Timed' });
    expect((await app.api.post('/time_entries/start', { item: 'WEB-1' })).status).toBe(201);
    for (const origin of ['http://evil.example', 'null', 'http://localhost:3000', `${app.url}.evil.example`]) {
      const stop = await app.api.post('/time_entries/stop', undefined, { headers: { origin } });
      expectPmError(stop, 403, 'cross_site_request');
    }
    const fetchMetadata = await app.api.post('/time_entries/stop', undefined, { headers: { 'sec-fetch-site': 'cross-site' } });
    expectPmError(fetchMetadata, 403, 'cross_site_request');
    const deleted = await app.api.delete('/projects/WEB', { headers: { origin: 'https://evil.example' } });
    expectPmError(deleted, 403, 'cross_site_request');
    const entries = await app.api.get<{ items: { ended_at: string | null }[] }>('/time_entries');
    expect(entries.body.items.map((e) => e.ended_at)).toEqual([null]);
    // Reads from anywhere are answered (no CORS: a browser does not let the page see them).
    expect((await app.api.get('/projects', { headers: { origin: 'http://evil.example' } })).status).toBe(200);
    // The server's own pages, and clients that send no Origin, write.
    const own = await app.api.post('/time_entries/stop', undefined, {
      headers: { origin: app.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status, own.text).toBe(200);
  });
});

describe('the sync rate limit', () => {
  it('is one budget for every /api/v1/sync/* route, POST /sync/runs included', async () => {
    const app = await withProject({ syncRequestsPerMinute: 3 });
    expect((await app.api.get('/sync/export')).status).toBe(200);
    expect((await app.api.get('/sync/export')).status).toBe(200);
    expect((await app.api.get('/sync/runs')).status).toBe(404); // no engine here, but counted
    const runs = await app.api.post('/sync/runs', {});
    expectPmError(runs, 429, 'rate_limited');
    expect(runs.headers.get('retry-after')).toMatch(/^\d+$/);
    expectPmError(await app.api.get('/sync/export'), 429, 'rate_limited');
    expect((await app.api.get('/projects')).status).toBe(200);
  });
});

describe('query strings and bodies naming properties of every object', () => {
  const names = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype'];

  it('answer 400 naming the parameter, on routes with and without parameters', async () => {
    const app = await withProject();
    for (const name of names) {
      for (const path of ['/work_items', '/projects', '/health', '/board']) {
        const reply = await app.api.get(`${path}?${name}=1`);
        expectPmError(reply, 400, 'validation_failed', name);
        expect((reply.body as ErrorBody).error.message).toContain(name);
      }
    }
    expectPmError(await app.api.get('/work_items?status=todo&toString=x&limit=5'), 400, 'validation_failed', 'toString');
    expect((await app.api.get('/work_items?status=todo&limit=5')).status).toBe(200);
  });

  it('bodies with such keys are refused without a 500, and pollute nothing', async () => {
    const app = await withProject();
    const json = { 'content-type': 'application/json' };
    const bodies = [
      '{"constructor": {"prototype": {"polluted": true}}, "key": "OPS", "title": "x"}',
      '{"__proto__": {"polluted": true}, "key": "OPS", "title": "x"}',
      '{"key": "OPS", "title": "x", "toString": "no"}',
      '{"key": "OPS", "title": "x", "constructor": 1}',
    ];
    for (const body of bodies) {
      const reply = await app.api.call('POST', '/projects', { raw: body, headers: json });
      expectPmError(reply, 400, 'validation_failed');
    }
    const patch = await app.api.call('PATCH', '/projects/WEB', { raw: '{"title": "y", "hasOwnProperty": 1}', headers: json });
    expectPmError(patch, 400, 'validation_failed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await app.api.get<{ total: number }>('/projects')).body.total).toBe(1);
  });
});

describe('errors Fastify and Node raise before a handler runs', () => {
  it('malformed percent-encoding is 400 bad_request', async () => {
    const app = await withProject();
    for (const path of ['/api/v1/work_items/%E0%A4%A', '/api/v1/projects/%zz', '/api/v1/work_items/WEB-%']) {
      const reply = await raw(app.url, 'GET', path);
      expectPmError(reply, 400, 'bad_request');
      expect(reply.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    }
  });

  it('a path segment over the limit is 414 uri_too_long', async () => {
    const app = await withProject();
    expectPmError(await raw(app.url, 'GET', `/api/v1/work_items/${'A'.repeat(2401)}`), 414, 'uri_too_long');
    // A sprint name as long as names go, every character escaped, is still a ref.
    const name = 'é'.repeat(200);
    expect((await app.api.post('/sprints', { name, start_date: '2026-12-01', end_date: '2026-12-14' })).status).toBe(201);
    expect((await app.api.get<{ name: string }>(`/sprints/${encodeURIComponent(name)}`)).body.name).toBe(name);
  });

  it('headers over Node’s limit are 431 headers_too_large, a malformed request 400 bad_request', async () => {
    const app = await withProject();
    const big = await rawBytes(
      app.url,
      `GET /api/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'headers_too_large' } });
    const garbage = await rawBytes(app.url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('POST /sync/runs with no connection configured is 409 no_connection', async () => {
    const paths = pathsFor(tempDir());
    const store = await openStore(storeTarget('sqlite'));
    const sync = new SyncEngine({ store, connections: (name) => resolveConnection(paths, {}, {}, name) });
    const app = await testApp('sqlite', { store, deps: { sync } });
    const reply = await app.api.post('/sync/runs', {});
    expectPmError(reply, 409, 'no_connection');
    expect((reply.body as ErrorBody).error.message).toContain('pm connect');
    await app.close();
    await store.close();
  });
});
