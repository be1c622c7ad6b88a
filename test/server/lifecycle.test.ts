import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/sync/index.js';
import { LATEST_SCHEMA_VERSION, openStore } from '../../src/store/index.js';
import { pmProcess } from '../helpers/cli.js';
import { apiClient, servePmProcess } from '../helpers/server.js';
import { MEDIUM, bigSnapshotFile, snapshotText } from '../helpers/snapshot.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { sizeOf, tempDir } from '../helpers/temp.js';

async function initialized(env: Record<string, string> = {}): Promise<string> {
  const cwd = tempDir();
  expect((await pmProcess(['init'], { cwd, env })).code).toBe(0);
  expect((await pmProcess(['project', 'add', 'WEB', 'Website'], { cwd, env })).code).toBe(0);
  return cwd;
}

function post(url: string, file: string): Promise<Response> {
  return fetch(`${url}/api/v1/sync/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(file),
  });
}

describe('pm serve, the process', () => {
  it('writes .pm/server.json, refuses a second server on the same data, and stops cleanly on SIGTERM', async () => {
    const cwd = await initialized();
    const first = await servePmProcess(cwd);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const info = JSON.parse(readFileSync(join(cwd, '.pm', 'server.json'), 'utf8')) as { url: string; pid: number };
    expect(info).toEqual({ url: first.url, pid: first.child.pid });
    expect((await apiClient(first.url).get('/health')).status).toBe(200);

    const second = await pmProcess(['serve', '--port', '0'], { cwd });
    expect(second.code).toBe(5);
    expect(second.stderr).toContain(`another pm server is already serving this database (pid ${info.pid}, ${first.url})`);

    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain('pm serve: stopped');
    expect(existsSync(join(cwd, '.pm', 'server.json'))).toBe(false);
    expect(readdirSync(join(cwd, '.pm', 'tmp'))).toEqual([]);

    const again = await servePmProcess(cwd);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });

  it('leaves no stale lock when killed with SIGKILL', async () => {
    const cwd = await initialized();
    const killed = await servePmProcess(cwd);
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const next = await servePmProcess(cwd);
    expect(JSON.parse(readFileSync(join(cwd, '.pm', 'server.json'), 'utf8'))).toMatchObject({ pid: next.child.pid });
    next.child.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
  });

  it('finishes an import in flight on SIGTERM, then exits', async () => {
    const cwd = await initialized();
    const file = await bigSnapshotFile(7);
    const server = await servePmProcess(cwd);
    const pending = post(server.url, file);
    const uploads = join(cwd, '.pm', 'tmp', 'server', 'uploads');
    const uploading = () => existsSync(uploads) && readdirSync(uploads).length > 0;
    for (let i = 0; i < 1000 && !uploading(); i++) await sleep(5);
    expect(uploading()).toBe(true);
    server.child.kill('SIGTERM');
    const response = await pending;
    expect(response.status).toBe(200);
    const result = (await response.json()) as ImportResult;
    expect(result.counts.work_items.created).toBe(MEDIUM.items);
    expect((await server.exited).code).toBe(0);
    const store = await openStore(join(cwd, '.pm', 'data.db'));
    expect(await store.count('work_items', { includeDeleted: true })).toBe(MEDIUM.items);
    await store.close();
  });

  it('killed with SIGKILL in the middle of a large import, leaves the database as it was', async () => {
    const cwd = await initialized();
    expect((await pmProcess(['item', 'add', '--type', 'task', 'Before'], { cwd })).code).toBe(0);
    const dbPath = join(cwd, '.pm', 'data.db');
    const before = await (async () => {
      const s = await openStore(dbPath);
      const text = await snapshotText(s);
      await s.close();
      return text;
    })();
    const file = await bigSnapshotFile(8);
    const server = await servePmProcess(cwd);
    const pending = post(server.url, file).then(
      (r) => `answered ${r.status}`,
      () => 'connection lost',
    );
    const wal = `${dbPath}-wal`;
    for (let i = 0; i < 2000 && sizeOf(wal) <= 8 * 1024 * 1024; i++) await sleep(5);
    expect(sizeOf(wal)).toBeGreaterThan(8 * 1024 * 1024);
    server.child.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    expect(await pending).toBe('connection lost');

    const store = await openStore(dbPath);
    expect(await snapshotText(store)).toBe(before);
    await store.close();
    const again = await servePmProcess(cwd);
    const retried = await post(again.url, file);
    expect(retried.status).toBe(200);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });

  it('requires a token for every request when it listens beyond loopback', async () => {
    const cwd = await initialized();
    const server = await servePmProcess(cwd, {}, ['--host', '0.0.0.0']);
    // The notes follow the line that says where it listens, on another pipe.
    for (let i = 0; i < 200 && !server.stderr().includes('plain HTTP'); i++) await sleep(10);
    expect(server.stderr()).toContain('every request needs a token and there is none yet');
    expect(server.stderr()).toContain('plain HTTP beyond loopback: put TLS in front');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const api = apiClient(server.url);
    expect((await api.get('/health')).status).toBe(401);
    const token = (await pmProcess(['token', 'create', '--scope', 'read'], { cwd })).stdout.trim();
    expect((await api.get('/health', { token })).status).toBe(200);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

describe.runIf(DIALECTS.includes('postgres'))('pm serve on PostgreSQL', () => {
  it('serves with --database, and a second server on the same database is refused from any repository', async () => {
    const database = postgresUrl();
    const cwd = await initialized({ PM_DATABASE_URL: database });
    const server = await servePmProcess(cwd, {}, ['--database', database]);
    const health = await apiClient(server.url).get<{ database: { dialect: string; schema_version: number } }>('/health');
    expect(health.body.database).toEqual({ dialect: 'postgres', reachable: true, schema_version: LATEST_SCHEMA_VERSION });
    const projects = await apiClient(server.url).get<{ items: { key: string }[] }>('/projects');
    expect(projects.body.items.map((p) => p.key)).toEqual(['WEB']);

    const elsewhere = tempDir();
    expect((await pmProcess(['init'], { cwd: elsewhere })).code).toBe(0);
    const second = await pmProcess(['serve', '--port', '0', '--database', database], { cwd: elsewhere });
    expect(second.code).toBe(5);
    expect(second.stderr).toContain('another pm server is already serving this database');
    expect(second.stderr).not.toContain('postgres://');

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
