import { describe, expect, it } from 'vitest';
import { ENTITY_TYPES } from '../../src/domain/index.js';
import type { ImportResult } from '../../src/sync/index.js';
import { boundPm } from '../helpers/cli.js';
import { serveWorkspace } from '../helpers/server.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

type Dialect = (typeof DIALECTS)[number];

/** What an import changed, per entity type; {} when everything was unchanged. */
function changes(result: ImportResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const type of ENTITY_TYPES) {
    const { unchanged: _unchanged, ...rest } = result.counts[type];
    if (Object.values(rest).some((n) => n > 0)) out[type] = rest;
  }
  return { ...out, ...(result.renumbered.length ? { renumbered: result.renumbered } : {}) };
}

async function repository(dialect: Dialect) {
  const cwd = tempDir();
  const database = dialect === 'postgres' ? postgresUrl() : undefined;
  const cli = boundPm(cwd, database ? { PM_DATABASE_URL: database } : {});
  await cli.ok(['init']);
  return { cwd, cli, database };
}

const PAIRS = (
  [
    ['sqlite', 'sqlite'],
    ['sqlite', 'postgres'],
  ] as const
).filter(([a, b]) => DIALECTS.includes(a) && DIALECTS.includes(b));

describe.each(PAIRS)('pm sync push and pull between a %s and a %s server', (dialectA, dialectB) => {
  it('merge different edits to the same items both ways, end byte-identical, and then have nothing to transfer', async () => {
    const a = await repository(dialectA);
    const b = await repository(dialectB);
    for (const step of [
      ['project', 'add', 'WEB', 'Website'],
      ['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14'],
      ['item', 'add', '--type', 'story', 'Checkout'],
      ['item', 'add', '--type', 'task', 'Card form', '--parent', 'WEB-1'],
      ['item', 'add', '--type', 'task', 'Receipts'],
    ]) {
      await a.cli.ok(step);
    }
    // B starts as a copy of A: the same records, from A's snapshot.
    await a.cli.ok(['sync', 'export']);
    await b.cli.ok(['sync', 'import', `${a.cwd}/.pm/data.json`]);

    // Different edits to the same items, on each side.
    await a.cli.ok(['item', 'edit', 'WEB-1', '--title', 'Checkout (A)']);
    await a.cli.ok(['item', 'edit', 'WEB-2', '--priority', 'high']);
    await a.cli.ok(['item', 'add', '--type', 'task', 'Only on A']);
    await a.cli.ok(['comment', 'add', 'WEB-1', 'Said on A']);
    await b.cli.ok(['item', 'edit', 'WEB-1', '--status', 'todo', '--sprint', 'Sprint 1']);
    await b.cli.ok(['item', 'edit', 'WEB-2', '--priority', 'low']);
    await b.cli.ok(['item', 'add', '--type', 'task', 'Only on B']);
    await b.cli.ok(['item', 'rm', 'WEB-3', '--yes']);
    await b.cli.ok(['dep', 'add', 'WEB-2', 'blocks', 'WEB-1']);

    const serverA = await serveWorkspace(a.cwd, a.database ? { database: a.database } : {});
    const serverB = await serveWorkspace(b.cwd, b.database ? { database: b.database } : {});
    expect(serverB.store.dialect).toBe(dialectB);

    // A pushes to B, B pushes to A, then each pulls from the other.
    const pushAB = await a.cli.json<ImportResult>(['sync', 'push', serverB.url]);
    // WEB-1 takes A's title; WEB-2's priority stays B's (the later write), a conflict rather than an update.
    expect(changes(pushAB)).toMatchObject({ work_items: { updated: 1, created: 1 }, comments: { created: 1 } });
    // Two decisions are recorded: the priority both sides changed, and WEB-4, minted on both.
    expect(pushAB.counts.work_items.conflicts).toBe(2);
    expect(pushAB.renumbered.map((r) => `${r.key_before} → ${r.key_after}`)).toEqual(['WEB-4 → WEB-5']);
    await b.cli.ok(['sync', 'push', serverA.url]);
    await a.cli.ok(['sync', 'pull', serverB.url]);
    await b.cli.ok(['sync', 'pull', serverA.url]);

    const exportA = (await serverA.api.get('/sync/export')).text;
    const exportB = (await serverB.api.get('/sync/export')).text;
    expect(exportA.length).toBeGreaterThan(1000);
    expect(exportA).toBe(exportB);

    // Both edits to WEB-1 survive; the same-field edit went to the later write and is listed as a conflict.
    for (const cli of [a.cli, b.cli]) {
      const one = await cli.json<{ title: string; status: string; sprint: { name: string } | null }>(['item', 'show', 'WEB-1']);
      expect([one.title, one.status, one.sprint?.name]).toEqual(['Checkout (A)', 'todo', 'Sprint 1']);
      expect((await cli.json<{ priority: string }>(['item', 'show', 'WEB-2'])).priority).toBe('low');
      const titles = (await cli.json<{ key: string; title: string }[]>(['item', 'list', '--all'])).map(
        (i) => `${i.key} ${i.title}`,
      );
      expect(titles).toEqual(['WEB-1 Checkout (A)', 'WEB-2 Card form', 'WEB-4 Only on A', 'WEB-5 Only on B']);
      // The renumbering is recorded settled: WEB-4 stays an alias, so no one need decide.
      const open = await cli.json<{ field: string }[]>(['conflicts']);
      expect(open.map((c) => c.field)).toEqual(['priority']);
      const all = await cli.json<{ field: string; resolution: string | null }[]>(['conflicts', '--all']);
      expect(all.map((c) => [c.field, c.resolution])).toEqual([
        ['priority', null],
        ['item_number', 'theirs'],
      ]);
    }

    // Nothing left to transfer, in any direction.
    for (const [cli, url] of [
      [a.cli, serverB.url],
      [b.cli, serverA.url],
    ] as const) {
      for (const direction of ['push', 'pull']) {
        const again = await cli.json<ImportResult>(['sync', direction, url]);
        expect(changes(again), `${direction} ${url}`).toEqual({});
        expect(again.counts.work_items.unchanged).toBe(5);
      }
    }
    expect((await serverA.api.get('/sync/export')).text).toBe(exportA);
    expect((await serverB.api.get('/sync/export')).text).toBe(exportA);
  });
});

describe('pm sync push and pull', () => {
  it('change nothing with --dry-run and keep no base, so the next exchange is the same', async () => {
    const a = await repository('sqlite');
    await a.cli.ok(['project', 'add', 'WEB', 'Website']);
    await a.cli.ok(['item', 'add', '--type', 'task', 'Only here']);
    const b = await repository('sqlite');
    const server = await serveWorkspace(b.cwd);
    const dry = await a.cli.json<ImportResult>(['sync', 'push', server.url, '--dry-run']);
    expect(dry.dry_run).toBe(true);
    expect(dry.counts.work_items.created).toBe(1);
    expect(await b.cli.json<unknown[]>(['item', 'list'])).toEqual([]);
    const real = await a.cli.json<ImportResult>(['sync', 'push', server.url]);
    expect(real.counts.work_items.created).toBe(1);
    const table = await a.cli.ok(['sync', 'pull', server.url]);
    expect(table.stdout).toContain(`Pulled from ${server.url}:`);
    expect(table.stdout).toMatch(/work_items\s+0\s+0\s+1\s+0/);
  });

  it('report a server that cannot be reached or refuses the token, with exit codes 9 and 8', async () => {
    const a = await repository('sqlite');
    const b = await repository('sqlite');
    const server = await serveWorkspace(b.cwd, { settings: { requireToken: true } });
    const refused = await a.cli.run(['sync', 'pull', server.url]);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain('this server needs a token');
    await server.close();
    const gone = await a.cli.run(['sync', 'push', server.url]);
    expect(gone.code).toBe(9);
    expect(gone.stderr).toContain(`cannot reach the pm server at ${server.url}`);
  });
});
