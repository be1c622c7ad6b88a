import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/generate.js';
import type { AnyRecord, Conflict, WorkItem } from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { fieldClock } from '../../src/sync/index.js';
import { boundPm } from '../helpers/cli.js';
import { createTeam, setUp, type Clone } from '../helpers/git.js';
import { serveWorkspace, type Api } from '../helpers/server.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The convergence property, end to end: three git clones of a bare remote (one of them also
 * serving its database with `pm serve`) and a server-only replica make random edits (CLI and
 * REST) and exchange them every way pm supports — git merge and rebase through the merge
 * driver, git revert, git stash pop and drop, an older data.json checked out, pm sync push and
 * pull — then everyone exchanges until nobody has anything new. At the end every data.json,
 * every database and every server export is byte-identical, local invariants hold, and every
 * field edit survived, was overwritten by someone who had seen it (a later edit, a revert, an
 * older file checked out, a dropped stash), or is listed by pm conflicts.
 *
 * Seeds: PM_RANDOM_SEEDS=1,2,3 (a list) or PM_RANDOM_RUNS=N (N seeds from PM_RANDOM_SEED);
 * steps per seed: PM_RANDOM_STEPS. PM_RANDOM_DEBUG=1 prints the log of a failing run.
 */
const BASE_SEED = Number(process.env.PM_RANDOM_SEED ?? 20261121);
const SEEDS = process.env.PM_RANDOM_SEEDS
  ? process.env.PM_RANDOM_SEEDS.split(',').map(Number)
  : Array.from({ length: Number(process.env.PM_RANDOM_RUNS ?? 3) }, (_, i) => BASE_SEED + i * 7919);
const STEPS = Number(process.env.PM_RANDOM_STEPS ?? 70);

const FIELDS = ['title', 'status', 'priority', 'story_points', 'deleted_at'] as const;
type Field = (typeof FIELDS)[number];
const STATUSES = ['backlog', 'todo', 'in_progress', 'review', 'done'];
const PRIORITIES = ['low', 'medium', 'high', 'critical'];

/** A field's value as a replica saw it change: before and after, with the write clocks. */
interface Edit {
  by: string;
  id: string;
  field: Field;
  value: unknown;
  clock: string;
  before: { value: unknown; clock: string };
  /** Made by git moving data.json back (revert, checkout, stash), not by a person editing. */
  undo?: string;
}

type Items = Map<string, WorkItem>;

/** A replica that edits: a git clone (CLI, maybe a server too) or a server on its own. */
interface Replica {
  name: string;
  database: string;
  clone?: Clone;
  api?: Api;
  url?: string;
}

async function withStore<T>(database: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(database, { migrate: false });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The merge decisions a replica has recorded, by id. */
const readConflicts = (r: Replica) =>
  withStore(r.database, async (s) => new Map((await s.list('conflicts', { includeDeleted: true })).map((c) => [c.id, c])));

const readItems = (r: Replica): Promise<Items> =>
  withStore(r.database, async (s) => new Map((await s.list('work_items', { includeDeleted: true })).map((i) => [i.id, i])));

/** Every field that changed between two readings, as edits made by `by`. */
function diff(by: string, before: Items, after: Items, undo?: string): Edit[] {
  const edits: Edit[] = [];
  // git took the record out of data.json here (an older file, a revert of its addition): what it held here is undone.
  for (const [id, was] of before) {
    if (after.has(id) || !undo) continue;
    for (const field of FIELDS)
      edits.push({
        by,
        id,
        field,
        value: undefined,
        clock: '',
        before: { value: was[field], clock: fieldClock(was, field) },
        undo,
      });
  }
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) continue;
    for (const field of FIELDS) {
      const [a, b] = [fieldClock(was, field), fieldClock(now, field)];
      if (was[field] === now[field] && (a === b || field === 'deleted_at')) continue;
      if (field === 'deleted_at' && (was.deleted_at === null) === (now.deleted_at === null)) continue;
      edits.push({
        by,
        id,
        field,
        value: now[field],
        clock: b,
        before: { value: was[field], clock: a },
        ...(undo ? { undo } : {}),
      });
    }
  }
  return edits;
}

/** What local commands never leave: checked on the final data. */
async function expectInvariants(database: string): Promise<void> {
  await withStore(database, async (s) => {
    const live = <T extends AnyRecord>(xs: T[]) => xs.filter((x) => x.deleted_at === null);
    const items = await s.list('work_items', { includeDeleted: true });
    const deleted = new Set(items.filter((i) => i.deleted_at !== null).map((i) => i.id));
    const sprints = await s.list('sprints', { includeDeleted: true });
    const deadSprints = new Set(sprints.filter((x) => x.deleted_at !== null).map((x) => x.id));
    const keys = live(items).map((i) => `${i.project_id}:${i.item_number}`);
    expect(new Set(keys).size, 'display keys are unique').toBe(keys.length);
    expect(live(items).filter((i) => i.sprint_id !== null && deadSprints.has(i.sprint_id))).toEqual([]);
    const deps = live(await s.list('dependencies', { includeDeleted: true }));
    expect(deps.filter((d) => deleted.has(d.blocking_item_id) || deleted.has(d.blocked_item_id))).toEqual([]);
    const names = live(sprints).map((x) => `${x.project_id}:${x.name.toLowerCase()}`);
    expect(new Set(names).size, 'sprint names are unique').toBe(names.length);
  });
}

class Run {
  readonly random;
  readonly log: string[] = [];
  readonly edits: Edit[] = [];
  readonly ops = new Map<string, number>();
  counter = 0;

  constructor(
    readonly seed: number,
    readonly clones: Clone[],
    readonly replicas: Replica[],
  ) {
    this.random = rng(seed);
  }

  count(op: string): void {
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1);
  }

  /**
   * Runs `fn` on a replica and notes the field changes it made: edits a person made, changes
   * git made by moving data.json (undo), or what an exchange brought (only logged: a merge that
   * drops an edit without a conflict must not count as someone having seen it).
   */
  async observe(r: Replica, what: string, fn: () => unknown, kind: 'edit' | 'undo' | 'exchange', command = true): Promise<void> {
    const before = await readItems(r);
    const decided = kind === 'undo' || process.env.PM_RANDOM_DEBUG ? await readConflicts(r) : undefined;
    await fn();
    if (r.clone && command) await r.clone.pm('item', 'list'); // a command: the take-in of what git changed
    // After any command the database is data.json: what git left there, plus local edits, exported.
    if (r.clone && command) expect(await r.clone.database(), `${r.name} after ${what}`).toBe(r.clone.snapshot());
    const changes = diff(r.name, before, await readItems(r), kind === 'undo' ? what : undefined);
    if (kind !== 'exchange') this.edits.push(...changes);
    if (decided) await this.decisions(r, what, decided, kind === 'undo');
    this.log.push(`${r.name} ${what}${changes.map((e) => ` ${e.field}=${String(e.value)}@${e.id.slice(-4)}`).join('')}`);
  }

  /**
   * When git took out the record of a merge decision (a revert of the commit that made it), the
   * values it decided between count as undone here, as the merge itself is.
   */
  private async decisions(r: Replica, what: string, before: Map<string, Conflict>, undo: boolean): Promise<void> {
    const after = await readConflicts(r);
    const show = (sign: string, c: Conflict) =>
      this.log.push(`  ${sign} conflict ${c.field}@${c.record_id.slice(-4)} ${String(c.ours_value)} / ${String(c.theirs_value)}`);
    for (const [id, c] of after) if (!before.has(id)) show('+', c);
    for (const [id, c] of before) {
      if (after.has(id)) continue;
      show('-', c);
      if (!undo || !FIELDS.includes(c.field as Field)) continue;
      for (const value of [c.ours_value, c.theirs_value])
        this.edits.push({
          by: r.name,
          id: c.record_id,
          field: c.field as Field,
          value: undefined,
          clock: '',
          before: { value, clock: '~' },
          undo: `${what} took out a conflict`,
        });
    }
  }

  /** Commit whatever is there, pull (merge or rebase), push; a push that lost the race pulls again. */
  gitSync(clone: Clone, rebase: boolean): void {
    clone.git('add', '-A');
    if (clone.git('status', '--porcelain') !== '') clone.git('commit', '-q', '-m', `${clone.name} works`);
    if (clone.git('ls-remote', '--heads', 'origin', 'main') !== '')
      clone.gitAll('pull', '-q', rebase ? '--rebase' : '--no-rebase', 'origin', 'main');
    clone.git('push', '-q', 'origin', 'main');
  }

  commitLocal(clone: Clone, message: string): void {
    clone.git('add', '-A');
    if (clone.git('status', '--porcelain') !== '') clone.git('commit', '-q', '-m', message);
  }

  pickLive(items: Items): WorkItem | undefined {
    const live = [...items.values()].filter((i) => i.deleted_at === null).sort((a, b) => (a.id < b.id ? -1 : 1));
    return live[this.random.int(live.length)];
  }

  value(field: Field, by: string): string | number {
    switch (field) {
      case 'title':
        return `t${this.counter++}-${by}`;
      case 'status':
        return this.random.pick(STATUSES);
      case 'priority':
        return this.random.pick(PRIORITIES);
      case 'story_points':
        return this.random.int(13);
      default:
        return 'deleted';
    }
  }

  /** One edit of a random field of a random live item, through the CLI or the REST API. */
  async edit(r: Replica, via: 'cli' | 'rest'): Promise<void> {
    const item = this.pickLive(await readItems(r));
    if (!item) return;
    const field: Field = this.random.next() < 0.06 ? 'deleted_at' : FIELDS[this.random.int(4)]!;
    const value = this.value(field, r.name);
    this.count(`${via} edit`);
    await this.observe(
      r,
      `${via} ${field}`,
      async () => {
        if (via === 'cli') {
          if (field === 'deleted_at') await r.clone!.pm('item', 'rm', item.id, '--yes');
          else await r.clone!.pm('item', 'edit', item.id, `--${field === 'story_points' ? 'points' : field}`, String(value));
        } else {
          const reply =
            field === 'deleted_at'
              ? await r.api!.delete(`/work_items/${item.id}`, { actor: `${r.name}@example.com` })
              : await r.api!.patch(`/work_items/${item.id}`, { [field]: value }, { actor: `${r.name}@example.com` });
          expect(reply.status, reply.text).toBe(200);
        }
      },
      'edit',
      via === 'cli',
    );
  }

  async step(): Promise<void> {
    const roll = this.random.next();
    const clone = this.random.pick(this.clones);
    const me = this.replicas.find((r) => r.clone === clone)!;
    const servers = this.replicas.filter((r) => r.api);
    if (roll < 0.3) return this.edit(me, 'cli');
    if (roll < 0.42) return this.edit(this.random.pick(servers), 'rest');
    if (roll < 0.48) {
      this.count('add');
      const r = this.random.next() < 0.7 ? me : this.random.pick(servers);
      const title = `New ${this.counter++} by ${r.name}`;
      if (r.clone) await r.clone.pm('item', 'add', '--type', 'task', title);
      else expect((await r.api!.post('/work_items', { item_type: 'task', title }, { actor: `${r.name}@x` })).status).toBe(201);
      this.log.push(`${r.name} add ${title}`);
      return;
    }
    if (roll < 0.52) {
      this.count('dependency');
      const items = await readItems(me);
      const [a, b] = [this.pickLive(items), this.pickLive(items)];
      if (!a || !b || a.id === b.id) return;
      const r = await clone.run('dep', 'add', a.id, this.random.pick(['blocks', 'relates_to']), b.id);
      expect([0, 3, 4], r.stderr).toContain(r.code); // a cycle or a repeat is refused
      this.log.push(`${clone.name} dep ${a.id.slice(-4)} → ${b.id.slice(-4)} (${r.code})`);
      return;
    }
    if (roll < 0.55) {
      this.count('sprint move');
      const item = this.pickLive(await readItems(me));
      const sprint = this.random.pick(['S1', 'S2', 'none']);
      // A sprint deleted here, or named twice after a merge, is refused: exit 3.
      if (item)
        await this.observe(
          me,
          `sprint ${sprint}`,
          async () => expect([0, 3]).toContain((await clone.run('item', 'edit', item.id, '--sprint', sprint)).code),
          'edit',
        );
      return;
    }
    if (roll < 0.57) {
      // Sprints come and go: deleting one another clone is filling, creating one with a name another clone creates too.
      const name = this.random.pick(['S1', 'S2']);
      const gone = (await clone.run('sprint', 'show', name)).code !== 0;
      this.count(gone ? 'sprint add' : 'sprint rm');
      const r = gone
        ? await clone.run('sprint', 'add', name, '--start', '2027-01-01', '--end', '2027-01-14')
        : await clone.run('sprint', 'rm', name, '--yes');
      expect([0, 3], r.stderr).toContain(r.code);
      this.log.push(`${clone.name} sprint ${gone ? 'add' : 'rm'} ${name} (${r.code})`);
      return;
    }
    if (roll < 0.73) {
      const rebase = this.random.next() < 0.5;
      this.count(rebase ? 'git pull --rebase' : 'git pull (merge)');
      await this.observe(me, `git sync ${rebase ? 'rebase' : 'merge'}`, () => this.gitSync(clone, rebase), 'exchange');
      return;
    }
    if (roll < 0.76) return this.revert(me);
    if (roll < 0.8) return this.stash(me);
    if (roll < 0.84) return this.checkoutOld(me);
    return this.exchangeWithServer(me, this.random.pick(servers.filter((s) => s !== me)));
  }

  async revert(me: Replica): Promise<void> {
    const clone = me.clone!;
    this.commitLocal(clone, `${clone.name} before a revert`);
    const parents = clone.git('log', '-1', '--format=%P').split(' ').filter(Boolean);
    if (parents.length === 0) return;
    if (clone.git('diff', '--name-only', `HEAD^1`, 'HEAD') !== '.pm/data.json') return;
    this.count('git revert');
    await this.observe(
      me,
      'git revert',
      () => clone.git('revert', '--no-edit', ...(parents.length > 1 ? ['-m', '1'] : []), 'HEAD'),
      'undo',
    );
  }

  async stash(me: Replica): Promise<void> {
    const clone = me.clone!;
    await this.edit(me, 'cli');
    if (clone.git('status', '--porcelain') === '') return;
    const drop = this.random.next() < 0.5;
    this.count(drop ? 'git stash drop' : 'git stash pop');
    await this.observe(me, 'git stash', () => clone.git('stash'), 'undo');
    await this.observe(me, drop ? 'git stash drop' : 'git stash pop', () => clone.git('stash', drop ? 'drop' : 'pop'), 'undo');
  }

  async checkoutOld(me: Replica): Promise<void> {
    const clone = me.clone!;
    const depth = 1 + this.random.int(3);
    const back = `HEAD~${depth}`;
    try {
      clone.git('cat-file', '-e', `${back}:.pm/data.json`);
    } catch {
      return;
    }
    this.count('git checkout OLD -- data.json');
    await this.observe(me, `git checkout ${back} -- data.json`, () => clone.git('checkout', back, '--', '.pm/data.json'), 'undo');
    this.commitLocal(clone, `${clone.name} goes back to ${back}`);
  }

  async exchangeWithServer(me: Replica, server: Replica): Promise<void> {
    const direction = this.random.next() < 0.5 ? 'pull' : 'push';
    this.count(`pm sync ${direction}`);
    await this.observe(me, `pm sync ${direction} ${server.name}`, () => me.clone!.pm('sync', direction, server.url!), 'exchange');
  }

  /** Everyone exchanges with everyone until all hold the same bytes. */
  async settle(server: Replica, serving: Replica): Promise<string> {
    const [first] = this.clones;
    for (let round = 0; round < 8; round++) {
      for (const clone of this.clones) {
        const r = this.replicas.find((x) => x.clone === clone)!;
        await this.observe(r, 'final git sync', () => this.gitSync(clone, round % 2 === 1), 'exchange');
      }
      const r0 = this.replicas.find((x) => x.clone === first)!;
      await this.observe(r0, 'final pull', () => first!.pm('sync', 'pull', server.url!), 'exchange');
      await this.observe(r0, 'final push', () => first!.pm('sync', 'push', server.url!), 'exchange');
      const files = this.clones.map((c) => c.snapshot());
      const exports = [
        ...(await Promise.all(this.clones.map((c) => c.database()))),
        (await server.api!.get('/sync/export')).text,
        (await serving.api!.get('/sync/export')).text,
      ];
      const dirty = this.clones.some((c) => c.git('status', '--porcelain') !== '');
      if (!dirty && [...files, ...exports].every((t) => t === files[0])) return files[0]!;
    }
    throw new Error(`seed ${this.seed}: replicas still differ after 8 rounds of exchanges`);
  }

  /** Edits that are not in the final data, were not overwritten by someone who saw them, and are not listed as conflicts. */
  lost(final: Items, conflicts: { record_id: string; field: string; ours_value: unknown; theirs_value: unknown }[]): Edit[] {
    return this.edits.filter((e) => {
      if (e.value === undefined) return false; // a record git took out here: nothing was written
      const now = final.get(e.id);
      if (!now) return false; // an item whose addition was reverted everywhere
      if (now[e.field] === e.value || (e.field === 'deleted_at' && (now.deleted_at === null) === (e.value === null)))
        return false;
      const seen = this.edits.some(
        (f) =>
          f !== e &&
          f.id === e.id &&
          f.field === e.field &&
          sameValue(f.before.value, e.value, e.field) &&
          f.before.clock >= e.clock,
      );
      if (seen) return false;
      return !conflicts.some(
        (c) =>
          c.record_id === e.id &&
          c.field === e.field &&
          (sameValue(c.ours_value, e.value, e.field) || sameValue(c.theirs_value, e.value, e.field)),
      );
    });
  }
}

function sameValue(a: unknown, b: unknown, field: Field): boolean {
  return field === 'deleted_at' ? (a === null) === (b === null) : a === b;
}

/** Every other seed keeps the server-only replica on PostgreSQL (when the tests have it). */
const CASES = SEEDS.map((seed, i) => [seed, DIALECTS.includes('postgres') && i % 2 === 1 ? 'postgres' : 'sqlite'] as const);

describe.each(CASES)('three git clones, a pm serve clone and a server-only replica, seed %i on %s', (seed, dialect) => {
  it('end byte-identical everywhere, keep local invariants, and lose no edit that is not a recorded conflict', async () => {
    const started = Date.now();
    const team = createTeam();
    const c0 = team.clone('c0');
    await setUp(c0);
    await c0.pm('project', 'add', 'RND', 'Random');
    for (const name of ['S1', 'S2']) await c0.pm('sprint', 'add', name, '--start', '2026-12-01', '--end', '2026-12-14');
    for (let i = 0; i < 5; i++) await c0.pm('item', 'add', '--type', 'task', `Seed ${i}`);
    c0.git('add', '-A');
    c0.git('commit', '-q', '-m', 'start');
    c0.git('push', '-q', 'origin', 'main');
    const clones = [c0, team.clone('c1'), team.clone('c2')];
    for (const clone of clones.slice(1)) await setUp(clone);

    // The server-only replica starts from the same data, by a pull from the first clone's file.
    const alone = tempDir();
    const database = dialect === 'postgres' ? postgresUrl() : join(alone, '.pm', 'data.db');
    const cli = boundPm(alone, { PM_ACTOR: 'srv@example.com', ...(dialect === 'postgres' ? { PM_DATABASE_URL: database } : {}) });
    await cli.ok(['init']);
    await cli.ok(['sync', 'import', join(c0.dir, '.pm', 'data.json')]);
    const server = await serveWorkspace(alone, { database });
    const serving = await serveWorkspace(clones[2]!.dir);
    const replicas: Replica[] = [
      ...clones.map((c) => ({ name: c.name, database: join(c.dir, '.pm', 'data.db'), clone: c })),
      { name: 'srv', database, api: server.api, url: server.url },
    ];
    replicas[2] = { ...replicas[2]!, name: 'c2', api: serving.api, url: serving.url };

    const run = new Run(seed, clones, replicas);
    try {
      for (let step = 0; step < STEPS; step++) await run.step();
      const text = await run.settle(replicas[3]!, replicas[2]);
      await expectInvariants(replicas[0]!.database);
      const final = await readItems(replicas[0]!);
      const conflicts = await c0.json<{ record_id: string; field: string; ours_value: unknown; theirs_value: unknown }[]>(
        'conflicts',
        '--all',
      );
      const lost = run.lost(final, conflicts);
      if (process.env.PM_RANDOM_DEBUG)
        for (const e of lost) {
          console.log('LOST', JSON.stringify(e), 'FINAL', final.get(e.id)?.[e.field], fieldClock(final.get(e.id)!, e.field));
          for (const f of run.edits.filter((x) => x.id === e.id && x.field === e.field)) console.log('  EDIT', JSON.stringify(f));
          for (const c of conflicts.filter((x) => x.record_id === e.id)) console.log('  CONFLICT', JSON.stringify(c));
        }
      expect(lost, `seed ${seed}: lost edits`).toEqual([]);
      expect(run.edits.filter((e) => !e.undo).length).toBeGreaterThan(STEPS / 4);
      const items = final.size;
      console.log(
        `random git test, seed ${seed} (server-only replica on ${dialect}): ${STEPS} steps, ${run.edits.length} field changes observed, ${items} items, ` +
          `${conflicts.length} conflicts, ${(text.length / 1024).toFixed(0)} KiB data.json, ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
          [...run.ops].map(([op, n]) => `${op} ×${n}`).join(', '),
      );
    } catch (error) {
      if (process.env.PM_RANDOM_DEBUG) console.log(run.log.join('\n'));
      throw new Error(`seed ${seed} (rerun with PM_RANDOM_SEEDS=${seed} PM_RANDOM_STEPS=${STEPS} PM_RANDOM_DEBUG=1)`, {
        cause: error,
      });
    }
  }, 600_000);
});
