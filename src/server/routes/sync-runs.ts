import * as z from 'zod/mini';
import {
  FINISHED_RUN_STATUSES,
  PmError,
  RUN_DIRECTIONS,
  RUN_MODES,
  RUN_STATUSES,
  ValidationError,
  rangeBound,
  runTotals,
  withTotals,
  type SyncRun,
  type SyncRunItem,
} from '../../domain/index.js';
import type { RunQuery } from '../../store/index.js';
import {
  SYNCED_TYPES,
  resolveRetryTarget,
  resolveSyncId,
  type Requester,
  type RetryTarget,
  type RunEvent,
  type SyncEngine,
} from '../../sync/index.js';
import type { AppDeps } from '../deps.js';
import { object } from '../openapi-schemas.js';
import { flag } from '../schemas.js';
import { route, type RouteContext } from '../route.js';
import { openEventStream } from '../sse.js';
import { countsByItemType, withLocalKeys } from './sync-dashboard.js';

const tag = 'sync runs';

const filters = z.strictObject({
  ids: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(10_000))),
  status: z.optional(z.array(z.string().check(z.maxLength(40)))),
  updated_since: z.optional(z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time'))),
  entity_types: z.optional(z.array(z.enum(SYNCED_TYPES)).check(z.minLength(1))),
});

const runRequest = z.strictObject({
  connection: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  mode: z.optional(z.enum(RUN_MODES)),
  direction: z.optional(z.enum(RUN_DIRECTIONS)),
  dry_run: z.optional(z.boolean()),
  /** Make the remote equal to pm (deletes remote records pm does not have): only an explicit true. */
  overwrite: z.optional(z.boolean()),
  filters: z.optional(filters),
  /** Shorthand for filters.ids. */
  ids: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(200)))),
  idempotency_key: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});

/** The seed's `?overwrite=true`, the same as `overwrite` in the body. */
const runRequestQuery = z.strictObject({ overwrite: flag });

const page = {
  limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  offset: z.optional(z.int().check(z.gte(0))),
};
const entity = z.optional(z.enum(SYNCED_TYPES));

const bound = z.optional(
  z.string().check(z.refine((s) => rangeBound(s, 'start') !== null, 'expected an ISO 8601 time or a date (YYYY-MM-DD)')),
);
const runQuery = z.strictObject({
  connection: z.optional(z.string()),
  status: z.optional(z.array(z.enum(RUN_STATUSES))),
  /** Runs that synced records of this type (or were asked to sync only it). */
  entity,
  /** Runs requested from this time (a date: its start) to this one (a date: its end). */
  from: bound,
  to: bound,
  ...page,
});
const failureQuery = z.strictObject({ connection: z.optional(z.string()), entity, ...page });
const retryRequest = z.strictObject({
  connection: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
  entity,
  /** Only these failures (ids or short ids from the failures list). */
  record_ids: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(60))).check(z.minLength(1), z.maxLength(10_000))),
});

/** A run list query as the store takes it: the range's ends as canonical times. */
export function runListQuery(
  query: z.infer<typeof runQuery>,
  defaultLimit: number,
): RunQuery & { limit: number; offset: number } {
  return {
    ...(query.connection ? { connection: query.connection } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.entity ? { entity: query.entity } : {}),
    ...(query.from ? { from: rangeBound(query.from, 'start')! } : {}),
    ...(query.to ? { to: rangeBound(query.to, 'end')! } : {}),
    limit: query.limit ?? defaultLimit,
    offset: query.offset ?? 0,
  };
}

/** A page of runs, newest first, each in the shape a route answers with. */
async function runPage<T>(deps: AppDeps, query: z.infer<typeof runQuery>, shape: (run: SyncRun) => T) {
  const page = runListQuery(query, 50);
  const { runs, total } = await engineOf(deps).listRuns(page);
  return { runs: runs.map(shape), total, limit: page.limit, offset: page.offset };
}

const accepted = () =>
  object({ sync_id: { type: 'string' }, status: { type: 'string' }, mode: { type: 'string' }, direction: { type: 'string' } });

function engineOf(deps: AppDeps): SyncEngine {
  if (!deps.sync)
    throw new PmError('not_found', 'this server has no sync engine: serve a repository with connections (pm connect)');
  return deps.sync;
}

function requester(ctx: RouteContext<unknown, unknown>): Requester {
  const agent = ctx.request.headers['user-agent'];
  return {
    actor: ctx.request.pm.actor,
    source_ip: ctx.request.ip,
    user_agent: typeof agent === 'string' ? agent.slice(0, 500) : null,
  };
}

/** The 202 answer for a run: what `POST /sync/runs` promises. */
function acceptedRun(run: SyncRun, created: boolean) {
  return {
    sync_id: run.id,
    status: run.status,
    mode: run.mode,
    direction: run.direction,
    dry_run: run.dry_run,
    overwrite_mode: run.overwrite_mode,
    connection: run.connection,
    entity: run.filters.entity_types?.length === 1 ? run.filters.entity_types[0]! : null,
    started_at: run.started_at ?? run.created_at,
    created,
  };
}

/** A run with its totals, its items labelled, and its work items counted by type. */
async function runDetail(ctx: RouteContext<unknown, unknown>, ref: string) {
  const { run, items } = await engineOf(ctx.deps).getRun(await resolveSyncId(ctx.deps.store.sync, 'sync_runs', ref));
  const labelled = await withLocalKeys(ctx.deps.store, items);
  return { run: withTotals(run), items: labelled, by_item_type: countsByItemType(labelled) };
}

/** Starts a queued run in the background; its outcome lands in the database and the event stream. */
function launch(ctx: RouteContext<unknown, unknown>, run: SyncRun, who: Requester): void {
  void engineOf(ctx.deps)
    .execute(run.id, who)
    .catch((error: unknown) => ctx.request.log.error({ run: run.id, err: error }, 'sync run stopped unexpectedly'));
}

/**
 * A retry run started in the background (202) with how many records it retries, or
 * `sync_id: null` when there was nothing to retry.
 */
async function retry(ctx: RouteContext<unknown, unknown>, target: RetryTarget) {
  const who = requester(ctx);
  const run = await engineOf(ctx.deps).retry(await resolveRetryTarget(ctx.deps.store.sync, target), who);
  if (!run) return { sync_id: null, status: null, records: 0 };
  launch(ctx, run, who);
  ctx.reply.code(202);
  return { ...acceptedRun(run, true), records: run.filters.ids?.length ?? 0 };
}

/** Records a run and starts it in the background (202), or answers the run an idempotency key made (200). */
async function startRun(
  ctx: RouteContext<unknown, unknown>,
  body: z.infer<typeof runRequest>,
  query: z.infer<typeof runRequestQuery>,
) {
  const { ids, filters: given, overwrite: inBody, ...rest } = body;
  if (inBody !== undefined && query.overwrite !== undefined && inBody !== query.overwrite)
    throw new ValidationError([{ path: 'overwrite', message: 'the body and ?overwrite= disagree: give it once' }]);
  const overwrite = inBody ?? query.overwrite;
  const who = requester(ctx);
  const since = given?.updated_since;
  const runFilters = {
    ...given,
    ...(since ? { updated_since: new Date(since).toISOString() } : {}),
    ...(ids ? { ids } : {}),
  };
  const { run, created } = await engineOf(ctx.deps).request(
    { ...rest, ...(overwrite === undefined ? {} : { overwrite }), filters: runFilters },
    who,
  );
  if (created) launch(ctx, run, who);
  ctx.reply.code(created ? 202 : 200);
  return acceptedRun(run, created);
}

/** A run as the seed's status endpoints show it: its counts by what happened, with the run's own fields. */
export function runStatus(run: SyncRun) {
  const sum = (what: string) => Object.values(run.counters).reduce((n, c) => n + ((c as Record<string, number>)[what] ?? 0), 0);
  const totals = runTotals(run.counters);
  const finished = (FINISHED_RUN_STATUSES as readonly string[]).includes(run.status);
  return {
    sync_id: run.id,
    status: run.status,
    entity: run.filters.entity_types?.length === 1 ? run.filters.entity_types[0]! : null,
    connection: run.connection,
    mode: run.mode,
    direction: run.direction,
    dry_run: run.dry_run,
    overwrite_mode: run.overwrite_mode,
    deletion_count: run.deletion_count,
    created_at: run.created_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
    duration_ms: run.duration_ms,
    error: run.error,
    ...totals,
    records: {
      processed: totals.total_records + sum('unchanged') + sum('skipped'),
      created: sum('create'),
      updated: sum('update'),
      deleted: sum('delete'),
      unchanged: sum('unchanged'),
      failed: totals.records_failed,
      /** Not known before a run ends: it lists as it goes. */
      pending: finished ? 0 : null,
    },
    run: withTotals(run),
  };
}

const statusRoutes = [
  route({
    method: 'GET',
    url: '/sync/status',
    tag,
    summary:
      'Sync runs in the shape of the seed: sync_id, status, entity, total_records, records_completed, records_failed, records; newest first (the query of GET /sync/runs)',
    scope: 'read',
    query: runQuery,
    async handler(ctx) {
      return runPage(ctx.deps, ctx.query, runStatus);
    },
  }),
  route({
    method: 'GET',
    url: '/sync/status/:ref',
    tag,
    summary:
      "One sync run in the shape of the seed, with every item (error messages of the failed ones) and its work items' counts by type",
    scope: 'read',
    async handler(ctx) {
      const { run, items, by_item_type } = await runDetail(ctx, ctx.ref);
      return { ...runStatus(run), items, by_item_type };
    },
  }),
];

export const syncRunRoutes = [
  route({
    method: 'POST',
    url: '/sync/runs',
    tag,
    summary:
      'Start a sync run with a remote tracker (202); an idempotency key already used gives back that run (200). overwrite: true (or ?overwrite=true) makes the remote equal to pm, deleting remote records pm does not have',
    scope: 'write',
    body: runRequest,
    query: runRequestQuery,
    returns: accepted,
    handler: (ctx) => startRun(ctx, ctx.body, ctx.query),
  }),
  route({
    method: 'POST',
    url: '/sync/:ref',
    tag,
    summary:
      'Start a sync run of one entity type (sprints, work_items, dependencies, comments, time_entries): POST /sync/runs with filters.entity_types set to it; 400 for any other type',
    scope: 'write',
    body: runRequest,
    query: runRequestQuery,
    returns: accepted,
    async handler(ctx) {
      const parsed = z.enum(SYNCED_TYPES).safeParse(ctx.ref);
      if (!parsed.success)
        throw new ValidationError([
          { path: 'entity', message: `expected one of ${SYNCED_TYPES.join(', ')}, got ${JSON.stringify(ctx.ref)}` },
        ]);
      // The path names the type, whatever filters.entity_types says.
      const { filters: given, ...rest } = ctx.body;
      return startRun(ctx, { ...rest, filters: { ...given, entity_types: [parsed.data] } }, ctx.query);
    },
  }),
  ...statusRoutes,
  route({
    method: 'GET',
    url: '/sync/runs',
    tag,
    summary: 'Sync runs, newest first',
    scope: 'read',
    query: runQuery,
    async handler(ctx) {
      return runPage(ctx.deps, ctx.query, withTotals);
    },
  }),
  route({
    method: 'GET',
    url: '/sync/runs/:ref',
    tag,
    summary:
      "One sync run with its totals and counts by entity type and operation; every item with local_key (the pm item's display key), title and item_type; by_item_type: work items counted by type and outcome",
    scope: 'read',
    async handler(ctx) {
      return runDetail(ctx, ctx.ref);
    },
  }),
  route({
    method: 'GET',
    url: '/sync/runs/:ref/events',
    tag,
    summary:
      'A run as server-sent events: run_started, item_done / item_failed / item_planned, progress, waiting (a rate limit or a retry), run_finished',
    scope: 'read',
    async handler(ctx) {
      const engine = engineOf(ctx.deps);
      const id = await resolveSyncId(ctx.deps.store.sync, 'sync_runs', ctx.ref);
      await engine.getRun(id); // 404 before the stream starts
      await streamEvents(ctx, engine, id);
      return ctx.reply;
    },
  }),
  route({
    method: 'POST',
    url: '/sync/runs/:ref/cancel',
    tag,
    summary: 'Stop a queued or running sync run (a running one stops at its next record)',
    scope: 'write',
    async handler(ctx) {
      return engineOf(ctx.deps).cancel(await resolveSyncId(ctx.deps.store.sync, 'sync_runs', ctx.ref), requester(ctx));
    },
  }),
  route({
    method: 'GET',
    url: '/sync/failures',
    tag,
    summary: 'Records that failed in a sync run and were not retried since, newest first',
    scope: 'read',
    query: failureQuery,
    async handler(ctx) {
      const limit = ctx.query.limit ?? 100;
      const offset = ctx.query.offset ?? 0;
      const page = await engineOf(ctx.deps).failures({
        ...(ctx.query.connection ? { connection: ctx.query.connection } : {}),
        ...(ctx.query.entity ? { entity: ctx.query.entity } : {}),
        limit,
        offset,
      });
      return { ...page, items: await withLocalKeys(ctx.deps.store, page.items), limit, offset };
    },
  }),
  route({
    method: 'POST',
    url: '/sync/retry',
    tag,
    summary:
      'Retry open failures in a new run (202): every one of a connection, of one entity type, or those in record_ids; 200 with sync_id null when there is none',
    scope: 'write',
    body: retryRequest,
    returns: accepted,
    async handler(ctx) {
      const { connection, entity, record_ids } = ctx.body;
      return retry(ctx, {
        ...(connection ? { connection } : {}),
        ...(entity ? { entity } : {}),
        ...(record_ids ? { items: record_ids } : {}),
      });
    },
  }),
  route({
    method: 'POST',
    url: '/sync/failures/:ref/retry',
    tag,
    summary: 'Retry one failed record in a new run (202); 400 when it is not a failure any more',
    scope: 'write',
    returns: accepted,
    async handler(ctx) {
      return retry(ctx, { item: ctx.ref });
    },
  }),
  route({
    method: 'POST',
    url: '/sync/failures/:ref/not-synced',
    tag,
    summary:
      'Mark a push failure not to sync (the remote refuses the record, e.g. a subtask blocking its parent): later runs skip it; 400 when it is not a failure',
    scope: 'write',
    async handler(ctx) {
      const id = await resolveSyncId(ctx.deps.store.sync, 'sync_run_items', ctx.ref);
      return engineOf(ctx.deps).markNotSynced(id, requester(ctx));
    },
  }),
  route({
    method: 'DELETE',
    url: '/sync/failures/:ref/not-synced',
    tag,
    summary:
      'Undo marking a record not to sync: later runs sync it again, and its failure is open again until a run settles it; 400 when it is not marked',
    scope: 'write',
    async handler(ctx) {
      const id = await resolveSyncId(ctx.deps.store.sync, 'sync_run_items', ctx.ref);
      return engineOf(ctx.deps).markSynced(id, requester(ctx));
    },
  }),
  route({
    method: 'GET',
    url: '/sync/metrics',
    tag,
    summary: 'Sync metrics: runs by status, items done and failed, open failures, the last run per connection',
    scope: 'read',
    async handler(ctx) {
      return engineOf(ctx.deps).metrics();
    },
  }),
];

const POLL_MS = 500;
const PROGRESS_EVERY_MS = 200;

/**
 * Server-sent events for one run. A subscriber that comes late first gets what happened so
 * far (items in order), then the live events; every item is sent once, in order, and the
 * stream ends with run_finished. A run executed by another process is followed from the
 * database.
 */
async function streamEvents(ctx: RouteContext<unknown, unknown>, engine: SyncEngine, runId: string): Promise<void> {
  const { reply, request } = ctx;
  const stream = openEventStream(reply);
  let closed = false;
  let lastSeq = 0;
  let lastProgress = 0;
  let lastPhase = '';
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const send = (event: string, data: unknown, id?: number) => {
    if (!closed) stream.send(event, data, id);
  };
  const sendItem = (item: SyncRunItem) => {
    if (item.seq <= lastSeq) return;
    lastSeq = item.seq;
    send(item.status === 'failed' ? 'item_failed' : item.status === 'planned' ? 'item_planned' : 'item_done', item, item.seq);
  };
  const end = (run: SyncRun) => {
    if (closed) return;
    send('run_finished', run);
    closed = true;
    stream.end();
    finish();
  };

  const buffered: RunEvent[] = [];
  let live = false;
  const onEvent = (event: RunEvent) => {
    if (!live) return void buffered.push(event);
    if (event.type === 'progress') {
      // Thinned out, except the start of a phase and the end of one.
      if (Date.now() - lastProgress < PROGRESS_EVERY_MS && event.done < event.total && event.phase === lastPhase) return;
      lastProgress = Date.now();
      lastPhase = event.phase;
      send('progress', event);
    } else if (event.type === 'waiting') send('waiting', event);
    else if (event.type === 'run_started') send('run_started', event.run);
    else if (event.type === 'run_finished') end(event.run);
    else sendItem(event.item);
  };
  const unsubscribe = engine.events.on(runId, onEvent);
  let poll: NodeJS.Timeout | undefined;
  request.raw.on('close', () => {
    closed = true;
    finish();
  });
  try {
    // Subscribed first, then caught up: nothing falls between the two.
    const { run, items } = await engine.getRun(runId);
    if (run.started_at) send('run_started', run);
    for (const item of engine.liveItems(runId) ?? items) sendItem(item);
    live = true;
    for (const event of buffered.splice(0)) onEvent(event);
    if (!closed && (FINISHED_RUN_STATUSES as readonly string[]).includes(run.status) && engine.liveItems(runId) === undefined) {
      const latest = await engine.getRun(runId);
      for (const item of latest.items) sendItem(item);
      end(latest.run);
    } else if (!closed && engine.liveItems(runId) === undefined) {
      // Queued here but not started yet, or run by another process: follow the database.
      poll = setInterval(() => {
        void engine.getRun(runId).then((latest) => {
          if (engine.liveItems(runId) !== undefined) return; // started here: live events carry it
          for (const item of latest.items) sendItem(item);
          if ((FINISHED_RUN_STATUSES as readonly string[]).includes(latest.run.status)) end(latest.run);
        });
      }, POLL_MS);
    }
    await finished;
  } finally {
    unsubscribe();
    clearInterval(poll);
  }
}
