import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/index.js';
import { testApp } from '../helpers/server.js';

interface AuditPage {
  items: AuditEntry[];
  total: number;
  limit: number;
  offset: number;
}

const json = { 'content-type': 'application/json', 'user-agent': 'probe/1' };

describe('the audit log over HTTP', () => {
  it('records every export and import, a refused one too, with who and from where, and lists them at /audit and /sync/audit', async () => {
    const app = await testApp('sqlite');
    const exported = await (await fetch(`${app.url}/api/v1/sync/export`)).text();
    const replaced = await app.api.call('POST', '/sync/import?mode=replace&force=true', {
      raw: exported,
      headers: json,
      actor: 'ann@example.com',
    });
    expect(replaced.status).toBe(200);
    const refused = await app.api.call('POST', '/sync/import', { raw: '{"schema_version": 1, "projects": [{}]}', headers: json });
    expect(refused.status).toBe(400);

    const page = await app.api.get<AuditPage>('/audit');
    expect(page.status).toBe(200);
    expect(page.body.items.map((e) => e.action)).toEqual(['snapshot_import_refused', 'snapshot_imported', 'snapshot_exported']);
    expect(page.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(page.body.items[1]).toMatchObject({
      actor: 'ann@example.com',
      source_ip: '127.0.0.1',
      user_agent: 'probe/1',
      entity_type: 'snapshot',
      details: { file: 'request body', mode: 'replace', dry_run: false, created: 5, deleted: 5 },
    });
    expect(page.body.items[0]!.details).toMatchObject({ mode: 'merge', error: { code: 'snapshot_invalid' } });

    const second = await app.api.get<AuditPage>('/audit?limit=1&offset=1');
    expect(second.body.items.map((e) => e.action)).toEqual(['snapshot_imported']);
    expect(second.body.total).toBe(3);
    const exports = await app.api.get<AuditPage>('/audit?action=snapshot_exported&entity_type=snapshot');
    expect(exports.body.total).toBe(1);
    expect((await app.api.get<AuditPage>('/audit?actor=ann@example.com')).body.total).toBe(1);
    expect((await app.api.get<AuditPage>('/sync/audit')).body).toEqual(page.body);
    expect((await app.api.get('/audit?limit=0')).status).toBe(400);
  });
});
