import { describe, expect, test } from 'vitest';
import { RateLimitedError, RemoteError, newId, type AnyRecord } from '../../../src/domain/index.js';
import {
  SYNCED_TYPES,
  canDelete,
  canUpdate,
  type Connector,
  type Listing,
  type RemoteRecord,
  type Resource,
  type SyncedFields,
  type SyncedType,
} from '../../../src/sync/connectors/index.js';
import type { FaultProxy } from '../../helpers/fault-proxy.js';
import { commentRecord, dependencyRecord, itemRecord, sprintRecord, timeEntryRecord } from '../../helpers/records.js';

/**
 * The conformance suite every connector passes (Redmine against the real server, the others
 * against their fakes, the in-memory one in process): what the engine relies on, per resource.
 */

export interface ConformanceRemote {
  /** A prepared connector on a fresh, empty remote project. */
  connector: Connector;
  /** Someone else renames a work item, through the remote's own API. */
  retitle(remoteId: string, title: string): Promise<void>;
  /** Someone else deletes a record, through the remote's own API. */
  remove(type: SyncedType, remoteId: string): Promise<void>;
  /** A proxy between the connector and the remote, for transport faults (HTTP connectors). */
  faults?: FaultProxy;
}

export interface ConformanceTarget {
  name: string;
  /** A fresh remote and a connector on it; `timeoutMs`: the connector's request timeout (tests of hangs want a short one). */
  open(options?: { timeoutMs?: number }): Promise<ConformanceRemote>;
  /** The remote refuses an update of a field someone else changed since it was read (409, 412). */
  locksOptimistically: boolean;
  /** Types the connector must not sync (the remote has nothing like them). */
  absent?: readonly SyncedType[];
}

type Res = Resource<SyncedType>;
const resource = (c: Connector, type: SyncedType) => c.resources[type];

/** What the engine does with a record: its synced fields, references turned into remote ids. */
function toRemote(r: Res, record: AnyRecord, ids: ReadonlyMap<string, string>): SyncedFields {
  const fields = { ...r.project(record as never)! };
  for (const field of Object.keys(r.references)) {
    const local = fields[field];
    if (typeof local === 'string') fields[field] = ids.get(local) ?? null;
  }
  return r.canonical(fields);
}

/** Lists every declared type as the engine does, in reference order. */
async function listAll(
  c: Connector,
  mode: 'full' | 'incremental',
  since: (type: SyncedType) => string | undefined = () => undefined,
): Promise<{ records: Map<SyncedType, RemoteRecord[]>; listings: Map<SyncedType, Listing> }> {
  const records = new Map<SyncedType, RemoteRecord[]>();
  const listings = new Map<SyncedType, Listing>();
  for (const type of SYNCED_TYPES) {
    const r = resource(c, type);
    if (!r) continue;
    const seen: RemoteRecord[] = [];
    const listing = await r.list(
      {
        mode: r.listing === 'incremental' && since(type) === undefined ? 'full' : mode,
        since: r.listing === 'incremental' ? since(type) : undefined,
        known: () => false,
        listed: (t) => new Set((records.get(t) ?? []).map((x) => x.remoteId)),
      },
      (record) => {
        expect(record.type).toBe(type);
        seen.push(record);
        return Promise.resolve();
      },
    );
    records.set(type, seen);
    listings.set(type, listing);
  }
  return { records, listings };
}

/** A small project on the remote: a sprint, an epic, a story in it, a task, two dependencies, a comment, time. */
async function plant(c: Connector) {
  const ids = new Map<string, string>();
  const created = new Map<string, RemoteRecord>();
  const sprint = sprintRecord({ name: `Sprint ${newId().slice(-6)}` });
  const epic = itemRecord({ item_type: 'epic', title: 'Checkout', status: 'todo', priority: 'medium', story_points: null });
  const story = itemRecord({ title: 'Pay by card', parent_id: epic.id, sprint_id: sprint.id });
  const task = itemRecord({ item_type: 'task', title: 'Card form', status: 'backlog', priority: 'low' });
  const blocks = dependencyRecord({ blocking_item_id: task.id, blocked_item_id: story.id });
  const relates = dependencyRecord({ blocking_item_id: epic.id, blocked_item_id: task.id, dependency_type: 'relates_to' });
  const comment = commentRecord({ work_item_id: story.id, content: `Use hosted fields ${newId().slice(-6)}` });
  const time = timeEntryRecord({ work_item_id: task.id });
  const plan: [SyncedType, AnyRecord][] = [
    ['sprints', sprint],
    ['work_items', epic],
    ['work_items', story],
    ['work_items', task],
    ['dependencies', blocks],
    ['dependencies', relates],
    ['comments', comment],
    ['time_entries', time],
  ];
  const requested = new Map<string, SyncedFields>();
  for (const [type, record] of plan) {
    const r = resource(c, type);
    if (!r) continue;
    const fields = toRemote(r, record, ids);
    requested.set(record.id, fields);
    const made = await r.create(fields, record.id);
    ids.set(record.id, made.remoteId);
    created.set(record.id, made);
  }
  return { ids, created, requested, records: { sprint, epic, story, task, blocks, relates, comment, time } };
}

export function runConnectorCases(target: ConformanceTarget): void {
  describe(`${target.name} connector (conformance)`, () => {
    test('declares a mapping for each type it syncs that survives a round trip, and nothing for what it lacks', async () => {
      const { connector } = await target.open();
      for (const type of target.absent ?? []) expect(connector.resources[type]).toBeUndefined();
      for (const [type, record] of planned()) {
        const r = resource(connector, type);
        if (!r) continue;
        const fields = r.project(record as never);
        expect(fields, type).not.toBeNull();
        const after = { ...record, ...r.toLocal(fields!, record as never) };
        expect(r.project(after as never), type).toEqual(fields);
        for (const field of Object.keys(fields!)) expect(r.localFields[field], `${type}.${field}`).toBeDefined();
      }
    });

    test('creates each type and reads it back as created; finds a create by its pm id, and nothing for another', async () => {
      const { connector } = await target.open();
      const { created, requested } = await plant(connector);
      for (const [localId, made] of created) {
        const r = resource(connector, made.type)!;
        expect(r.canonical(made.fields), `${made.type} as created`).toEqual(requested.get(localId));
        const read = await r.get(made.remoteId, made.parentRemoteId);
        expect(read?.remoteId, made.type).toBe(made.remoteId);
        const fields = new Map([[localId, requested.get(localId)!]]);
        expect((await r.find([localId], fields)).get(localId)?.remoteId, `${made.type} found by pm id`).toBe(made.remoteId);
        if (made.pmId !== null) expect(made.pmId).toBe(localId);
        const stranger = newId();
        if (made.pmId !== null) expect((await r.find([stranger], new Map([[stranger, requested.get(localId)!]]))).size).toBe(0);
      }
    });

    test('a full listing names every record, in reference order, with a census of each type', async () => {
      const { connector } = await target.open();
      const { created } = await plant(connector);
      const { records, listings } = await listAll(connector, 'full');
      for (const made of created.values()) {
        const listed = records.get(made.type)!.find((r) => r.remoteId === made.remoteId);
        expect(listed, `${made.type} ${made.remoteId} listed`).toBeDefined();
        expect(listings.get(made.type)!.census?.has(made.remoteId), `${made.type} in the census`).toBe(true);
      }
    });

    test('an incremental listing lists what changed since its cursor, a change in the cursor’s own second included', async () => {
      const remote = await target.open();
      const { connector } = remote;
      const { created, records } = await plant(connector);
      const items = resource(connector, 'work_items')!;
      expect(items.listing).toBe('incremental');
      const first = await listAll(connector, 'full');
      expect(first.listings.get('work_items')!.cursor).toBeDefined();
      const stamps = first.records.get('work_items')!.map((r) => Date.parse(r.updatedAt!));
      // Two seconds past the records' stamps: a remote may list the second before `since` too
      // (Redmine keeps fractions of a second it does not show), but not older changes.
      const after = Math.floor(Math.max(...stamps) / 1000) * 1000 + 2000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, after - Date.now() + 50)));

      const task = created.get(records.task.id)!;
      await remote.retitle(task.remoteId, 'Card form (theirs)');
      const since = (t: SyncedType) => (t === 'work_items' ? new Date(after).toISOString() : undefined);
      const next = await listAll(connector, 'incremental', since);
      const listed = next.records.get('work_items')!;
      expect(listed.map((r) => r.remoteId)).toEqual([task.remoteId]);
      expect(listed[0]!.fields.title).toBe('Card form (theirs)');
      expect(next.listings.get('work_items')!.census).toBeUndefined();

      // A cursor at the change's own stamp lists it again (whole-second clocks cannot tell it apart).
      const stamp = listed[0]!.updatedAt!;
      const again = await listAll(connector, 'incremental', (t) => (t === 'work_items' ? stamp : undefined));
      expect(again.records.get('work_items')!.map((r) => r.remoteId)).toContain(task.remoteId);
      expect(Date.parse(next.listings.get('work_items')!.cursor!)).toBeGreaterThanOrEqual(after);
    });

    test('an update writes what was asked and keeps the rest', async () => {
      const { connector } = await target.open();
      const { created, requested, records } = await plant(connector);
      const cases: [AnyRecord, SyncedFields][] = [
        [records.story, { title: 'Pay by card or wallet', description: 'Hosted fields' }],
        [records.sprint, { name: `Sprint ${newId().slice(-6)} (renamed)` }],
        [records.comment, { content: 'Use the hosted fields' }],
        [records.time, { hours: 2.25, description: 'Pairing, then review' }],
      ];
      for (const [record, change] of cases) {
        const made = created.get(record.id);
        if (!made) continue;
        const r = resource(connector, made.type)!;
        if (!canUpdate(r)) continue;
        const before = requested.get(record.id)!;
        const after = await r.update(made.remoteId, { ...before, ...change }, before);
        expect(r.canonical(after.fields), made.type).toEqual(r.canonical({ ...before, ...change }));
        const read = await r.get(made.remoteId, made.parentRemoteId);
        expect(read && r.canonical(read.fields), `${made.type} read back`).toEqual(r.canonical({ ...before, ...change }));
      }
    });

    test('a delete is confirmed by a read, and deleting what is gone is no error', async () => {
      const { connector } = await target.open();
      const { created, records } = await plant(connector);
      const order = [records.time, records.comment, records.relates, records.blocks, records.story, records.sprint];
      for (const record of order) {
        const made = created.get(record.id);
        if (!made) continue;
        const r = resource(connector, made.type)!;
        if (!canDelete(r)) continue;
        await r.delete(made.remoteId);
        expect(await r.get(made.remoteId, made.parentRemoteId), `${made.type} after delete`).toBeNull();
        await r.delete(made.remoteId);
      }
    });

    test('a work item someone else deleted reads as gone', async () => {
      const remote = await target.open();
      const { created, records } = await plant(remote.connector);
      const task = created.get(records.task.id)!;
      await remote.remove('work_items', task.remoteId);
      expect(await resource(remote.connector, 'work_items')!.get(task.remoteId)).toBeNull();
    });

    if (target.locksOptimistically) {
      test('an update keeps a change someone else made to another field, and refuses to overwrite one to the same field', async () => {
        const remote = await target.open();
        const { created, requested, records } = await plant(remote.connector);
        const items = resource(remote.connector, 'work_items')!;
        const story = created.get(records.story.id)!;
        const before = requested.get(records.story.id)!;
        await remote.retitle(story.remoteId, 'Pay by card (theirs)');

        const other = await items.update!(story.remoteId, { ...before, description: 'Ours' }, before);
        expect(other.fields).toMatchObject({ title: 'Pay by card (theirs)', description: 'Ours' });

        const same = items.update!(story.remoteId, { ...before, title: 'Pay by card (ours)' }, before);
        await expect(same).rejects.toBeInstanceOf(RemoteError);
        await expect(same).rejects.toMatchObject({ retryable: false });
        expect((await items.get(story.remoteId))!.fields.title).toBe('Pay by card (theirs)');
      });
    }

    describe('over HTTP', () => {
      test('a 429 on a write is a rate limit carrying Retry-After; a 500 on a read is read again', async (ctx) => {
        const remote = await target.open();
        if (!remote.faults) return ctx.skip();
        const items = resource(remote.connector, 'work_items')!;
        const record = itemRecord({ title: 'Rate limited' });
        const fields = toRemote(items, record, new Map());
        remote.faults.inject({ method: 'POST', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '7' } } });
        const refused = await items.create(fields, record.id).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(RateLimitedError);
        expect((refused as RateLimitedError).retryAfterMs).toBe(7000);

        const made = await items.create(fields, record.id);
        remote.faults.inject({ method: 'GET', fault: { kind: 'status', status: 500 } });
        const before = remote.faults.log.length;
        expect((await items.get(made.remoteId))?.fields.title).toBe('Rate limited');
        expect(remote.faults.log.slice(before).map((l) => l.status)).toEqual([500, 200]);
      });

      test('a create answered with a 500 or never answered after it happened is found by its pm id', async (ctx) => {
        const remote = await target.open({ timeoutMs: 1500 });
        if (!remote.faults) return ctx.skip();
        const items = resource(remote.connector, 'work_items')!;
        for (const fault of [{ kind: 'fail-after-forward', status: 500 }, { kind: 'hang-after-forward' }] as const) {
          const record = itemRecord({ title: `Made, then ${fault.kind}` });
          const fields = toRemote(items, record, new Map());
          remote.faults.inject({ method: 'POST', fault });
          const failed = await items.create(fields, record.id).catch((e: unknown) => e);
          expect(failed).toBeInstanceOf(RemoteError);
          expect((failed as RemoteError).retryable).toBe(true);
          const found = (await items.find([record.id], new Map([[record.id, fields]]))).get(record.id);
          expect(found?.fields.title).toBe(record.title);
        }
      });
    });
  });
}

/** One record of each type, the item's in several shapes, for round trips. */
function planned(): [SyncedType, AnyRecord][] {
  const sprint = sprintRecord();
  const epic = itemRecord({ item_type: 'epic' });
  const story = itemRecord({ parent_id: epic.id, sprint_id: sprint.id });
  return [
    ['sprints', sprint],
    ['sprints', sprintRecord({ status: 'completed', goal: null })],
    ['work_items', epic],
    ['work_items', story],
    ['work_items', itemRecord({ item_type: 'task', status: 'done', priority: 'critical', description: null })],
    ['work_items', itemRecord({ status: 'backlog', priority: 'low' })],
    ['dependencies', dependencyRecord({ blocking_item_id: epic.id, blocked_item_id: story.id })],
    ['dependencies', dependencyRecord({ blocking_item_id: story.id, blocked_item_id: epic.id, dependency_type: 'relates_to' })],
    ['comments', commentRecord({ work_item_id: story.id })],
    ['time_entries', timeEntryRecord({ work_item_id: story.id })],
  ];
}
