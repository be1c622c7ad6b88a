import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EntityType } from '../../src/domain/index.js';
import type { ErrorBody } from '../../src/server/index.js';
import type { ImportResult } from '../../src/sync/index.js';
import type { WorkItemView } from '../../src/tracker/index.js';
import { boundPm } from '../helpers/cli.js';
import { serveWorkspace, testApp, type TestApp } from '../helpers/server.js';
import { edgeCaseData, loadRecords, snapshotText } from '../helpers/snapshot.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

const JSON_TYPE = { 'content-type': 'application/json' };

function importText(app: TestApp, text: string | Buffer, query = '') {
  return app.api.call<ImportResult & ErrorBody>('POST', `/sync/import${query}`, { raw: text, headers: JSON_TYPE });
}

function changed(result: ImportResult): Partial<Record<EntityType, string>> {
  const out: Partial<Record<EntityType, string>> = {};
  for (const [type, c] of Object.entries(result.counts)) {
    if (c.created + c.updated + c.conflicts + c.deleted + c.rejected > 0) {
      out[type as EntityType] = `+${c.created} ~${c.updated} !${c.conflicts} -${c.deleted}`;
    }
  }
  return out;
}

describe.each(DIALECTS)('bulk sync endpoints on %s', (dialect) => {
  it('GET /sync/export streams the bytes pm sync export writes', async () => {
    const cwd = tempDir();
    const database = dialect === 'postgres' ? postgresUrl() : undefined;
    const cli = boundPm(cwd, database ? { PM_DATABASE_URL: database } : {});
    await cli.ok(['init']);
    const server = await serveWorkspace(cwd, database ? { database } : {});
    expect(server.store.dialect).toBe(dialect);
    await loadRecords(server.store, edgeCaseData());
    const reply = await server.api.get('/sync/export');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    await cli.ok(['sync', 'export', '--output', 'file.json']);
    expect(reply.text).toBe(readFileSync(join(cwd, 'file.json'), 'utf8'));
    expect(reply.text).toBe(await snapshotText(server.store));
  });

  it('POST /sync/import merges a streamed snapshot and answers the counts; again, everything is unchanged', async () => {
    const source = await testApp(dialect);
    await loadRecords(source.store, edgeCaseData());
    const snapshot = (await source.api.get('/sync/export')).text;
    const target = await testApp(dialect);

    const dry = await importText(target, snapshot, '?dry_run=true');
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.dry_run).toBe(true);
    expect(dry.body.counts.work_items.created).toBe(60);
    expect((await target.api.get<{ total: number }>('/work_items?all=true')).body.total).toBe(0);

    const first = await importText(target, snapshot);
    expect(first.body).toMatchObject({ mode: 'merge', dry_run: false });
    expect(first.body.counts.work_items.created).toBe(60);
    expect(first.body.counts.comments.created).toBe(20);
    expect(await snapshotText(target.store)).toBe(snapshot);

    const again = await importText(target, snapshot, '?mode=merge&dry_run=false');
    expect(changed(again.body)).toEqual({});
    expect(again.body.counts.work_items.unchanged).toBe(60);
  });

  it('replaces the database with mode=replace (force=true discards changes never exported)', async () => {
    const app = await testApp(dialect);
    await app.api.post('/projects', { key: 'OLD', title: 'Old' });
    const other = await testApp(dialect);
    await other.api.post('/projects', { key: 'NEW', title: 'New' });
    const snapshot = (await other.api.get('/sync/export')).text;
    expect((await importText(app, snapshot, '?mode=replace')).status).toBe(409);
    const replaced = await importText(app, snapshot, '?mode=replace&force=true');
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.counts.projects).toMatchObject({ created: 1, deleted: 1 });
    expect(await snapshotText(app.store)).toBe(snapshot);
  });

  it('refuses an invalid snapshot with every problem and writes nothing', async () => {
    const app = await testApp(dialect);
    const source = await testApp(dialect);
    await source.api.post('/projects', { key: 'WEB', title: 'Website' });
    await source.api.post('/work_items', { item_type: 'task', title: 'Fine' });
    const before = await snapshotText(app.store);
    const bad = (await source.api.get('/sync/export')).text
      .replace('"item_type":"task"', '"item_type":"saga"')
      .replace('"title":"Fine"', '"title":""');
    const reply = await importText(app, bad);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('snapshot_invalid');
    expect((reply.body.error.details as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual([
      'work_items[0].item_type',
      'work_items[0].title',
    ]);
    expect(reply.body.error.message).toMatch(/^request body: 2 problems/);
    expect(await snapshotText(app.store)).toBe(before);
    expect((await importText(app, '{"schema_version": 99}')).body.error.code).toBe('schema_too_new');
  });

  it('answers an upload over the limit with 413, declared or streamed, and writes nothing', async () => {
    const source = await testApp(dialect);
    await loadRecords(source.store, edgeCaseData());
    const snapshot = Buffer.from((await source.api.get('/sync/export')).text);
    const app = await testApp(dialect, { settings: { importLimit: 64 * 1024 } });
    const before = await snapshotText(app.store);

    const declared = await importText(app, snapshot);
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('payload_too_large');

    // Sent chunked, without a length: the server counts as the bytes arrive.
    const chunks = Array.from({ length: Math.ceil(snapshot.length / 8192) }, (_, i) =>
      snapshot.subarray(i * 8192, (i + 1) * 8192),
    );
    const response = await fetch(`${app.url}/api/v1/sync/import`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe('payload_too_large');

    expect(await snapshotText(app.store)).toBe(before);
    expect(readdirSync(join(app.deps.tmpDir, 'uploads'))).toEqual([]);
    expect((await importText(app, before)).status).toBe(200);
  });

  it('merges three-way against an uploaded base, so only true conflicts are recorded', async () => {
    const app = await testApp(dialect);
    await app.api.post('/projects', { key: 'WEB', title: 'Website' });
    await app.api.post('/work_items', { item_type: 'task', title: 'v0' });
    app.deps.clock = () => Date.parse('2026-11-21T11:00:00.000Z');
    await app.api.patch('/work_items/WEB-1', { title: 'v1' });
    // Both sides agreed on this; then the server alone changed the title again.
    const base = (await app.api.get('/sync/export')).text;
    app.deps.clock = () => Date.parse('2026-11-21T12:00:00.000Z');
    await app.api.patch('/work_items/WEB-1', { title: 'v2' });

    const sha = createHash('sha256').update(base).digest('hex');
    const wrong = await app.api.call<ErrorBody>('PUT', `/sync/bases/${'0'.repeat(64)}`, { raw: base, headers: JSON_TYPE });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('sha256');
    const missing = await importText(app, base, `?base=${sha}`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('base');

    // Without the base the client's old title looks like an edit of its own: a false conflict.
    const twoWay = await importText(app, base, '?dry_run=true');
    expect(twoWay.body.counts.work_items.conflicts).toBe(1);

    expect((await app.api.call('PUT', `/sync/bases/${sha}`, { raw: base, headers: JSON_TYPE })).status).toBe(204);
    const threeWay = await importText(app, base, `?base=${sha}`);
    expect(threeWay.status, threeWay.text).toBe(200);
    expect(threeWay.body.counts.work_items).toMatchObject({ conflicts: 0, updated: 0 });
    expect((await app.api.get<WorkItemView>('/work_items/WEB-1')).body.title).toBe('v2');
    expect(readdirSync(join(app.deps.tmpDir, 'bases'))).toEqual([]);
  });
});
