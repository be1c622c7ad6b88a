import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/index.js';
import { pm } from '../helpers/cli.js';
import { writeTemp } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/temp.js';

describe('pm audit', () => {
  it('lists exports, imports and token changes made by the CLI, newest first, as a table and as JSON', async () => {
    const cwd = tempDir();
    const run = async (...args: string[]) => {
      const r = await pm(args, { cwd });
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    await run('init');
    await run('sync', 'export');
    await run('sync', 'import', '--replace', '--force');
    const token = (await run('token', 'create', '--scope', 'read', '--name', 'ci', '--json')).json<{ id: string }>();
    await run('token', 'revoke', token.id);

    const page = (await run('audit', '--json')).json<{ items: AuditEntry[]; total: number }>();
    expect(page.items.map((e) => e.action)).toEqual(['token_revoked', 'token_created', 'snapshot_imported', 'snapshot_exported']);
    expect(page.total).toBe(4);
    expect(page.items.every((e) => e.actor === 'tester@example.com' && e.source_ip === null)).toBe(true);
    expect(page.items[0]).toMatchObject({ entity_type: 'token', entity_id: token.id, details: { name: 'ci', scope: 'read' } });
    expect(page.items[2]!.details).toMatchObject({ file: '.pm/data.json', mode: 'replace', dry_run: false });

    const refused = await pm(['sync', 'import', writeTemp('{"schema_version": 1, "projects": [{}]}')], { cwd });
    expect(refused.code).toBe(7);
    const refusals = (await run('audit', '--action', 'snapshot_import_refused', '--json')).json<{ items: AuditEntry[] }>();
    expect(refusals.items).toHaveLength(1);
    expect(refusals.items[0]!.details).toMatchObject({ mode: 'merge', error: { code: 'snapshot_invalid' } });

    const table = (await run('audit', '--limit', '2')).stdout.split('\n');
    expect(table[0]).toMatch(/^WHEN\s+ACTOR\s+ACTION\s+OF\s+FROM\s+DETAILS/);
    expect(table[1]).toContain('snapshot_import_refused');
    expect(table[2]).toContain('token_revoked');
    expect(table).toHaveLength(4);
  });
});
