import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import {
  ENTITIES,
  RUN_DIRECTIONS,
  RUN_MODES,
  RUN_STATUSES,
  RemoteError,
  ValidationError,
  isEntityType,
  isOneOf,
  parseWhen,
  rangeBound,
  runTotals,
  shortId,
  toTimestamp,
  type RunDirection,
  type RunMode,
  type RunStatus,
  type SyncRun,
  type SyncRunItem,
} from '../../domain/index.js';
import { SYNCED_TYPES, type RunEvent, type RunRequest, type SyncService } from '../../sync/index.js';
import { WHEN_HELP, example, integer, jsonOption, list, quietOption } from '../options.js';
import type { Output } from '../output/output.js';
import { terminalSafe } from '../output/terminal-safe.js';
import type { Session } from '../session.js';

interface RunListOptions {
  connection?: string;
  status?: string[];
  entity?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
  json?: boolean;
}

interface RunOptions {
  connection?: string;
  mode?: string;
  direction?: string;
  dryRun?: boolean;
  ids?: string[];
  status?: string[];
  since?: string;
  idempotencyKey?: string;
  overwrite?: boolean;
  yes?: boolean;
  json?: boolean;
}

/** `--from` / `--to`: an ISO 8601 time, or a date meaning its start (or end). */
function bound(option: string, value: string | undefined, side: 'start' | 'end'): string | undefined {
  if (value === undefined) return undefined;
  const at = rangeBound(value, side);
  if (at === null)
    throw new ValidationError([
      { path: option, message: `expected an ISO 8601 time or a date (YYYY-MM-DD), got ${JSON.stringify(value)}` },
    ]);
  return at;
}

const entityHelp = `only records of this type: ${SYNCED_TYPES.join(', ')}`;

function choice<T extends string>(option: string, values: readonly T[], value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (!isOneOf(values, value))
    throw new ValidationError([{ path: option, message: `expected one of ${values.join(', ')}, got ${JSON.stringify(value)}` }]);
  return value;
}

/** `pm sync run|runs|show|failures|retry|cancel`: runs against remote trackers (see pm connect). */
export function registerSyncRuns(sync: Command, session: Session): void {
  const out = session.out;

  sync
    .command('run')
    .description('sync with a remote tracker: pull its changes, push pm’s, record everything')
    .option('--connection <name>', 'which connection (default: the only one)')
    .option('--mode <mode>', `${RUN_MODES.join(' | ')} (default incremental; full also finds remote deletions)`)
    .option('--direction <direction>', `${RUN_DIRECTIONS.join(' | ')} (default both)`)
    .option('--dry-run', 'work out every operation, change nothing on either side')
    .option('--ids <ids>', 'only these records: item keys, ids, or remote ids as type:id (comma-separated)', list)
    .option('--status <statuses>', 'only work items with these statuses (comma-separated)', list)
    .option('--since <time>', `only records changed since this time (${WHEN_HELP})`)
    .option('--idempotency-key <key>', 'a key already used gives back that run instead of a second one')
    .option(
      '--overwrite',
      'make the remote equal to pm: delete remote records pm does not have, push pm’s fields over remote edits (asks first)',
    )
    .option('-y, --yes', 'with --overwrite: do not ask (needed without a terminal)')
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'pm sync run',
        'pm sync run --mode full',
        'pm sync run --dry-run --direction push',
        'pm sync run --ids WEB-12,WEB-13 --json',
        'pm sync run --overwrite --dry-run',
        'pm sync run --overwrite --yes',
      ),
    )
    .action(async (opts: RunOptions) => {
      const service = await session.syncService();
      const mode = choice<RunMode>('--mode', RUN_MODES, opts.mode);
      const direction = choice<RunDirection>('--direction', RUN_DIRECTIONS, opts.direction);
      const since = opts.since === undefined ? undefined : toTimestamp(parseWhen(opts.since, '--since', out.time()));
      if (opts.yes && !opts.overwrite)
        throw new ValidationError([{ path: '--yes', message: 'only --overwrite asks: leave --yes out' }]);
      const request: RunRequest = {
        ...(opts.connection ? { connection: opts.connection } : {}),
        ...(mode ? { mode } : {}),
        ...(direction ? { direction } : {}),
        dry_run: opts.dryRun ?? false,
        ...(opts.overwrite ? { overwrite: true } : {}),
        filters: {
          ...(opts.ids?.length ? { ids: opts.ids } : {}),
          ...(opts.status?.length ? { status: opts.status } : {}),
          ...(since ? { updated_since: since } : {}),
        },
        ...(opts.idempotencyKey ? { idempotency_key: opts.idempotencyKey } : {}),
      };
      if (opts.overwrite && !opts.dryRun && !opts.yes && !(await confirmOverwrite(session, service, request))) return;
      const { run, created } = await service.request(request);
      const final = created ? await followWithProgress(session, service, run) : run;
      if (opts.json) out.json(created ? await service.getRun(final.id) : { run: final, items: [] });
      else {
        if (!created) out.note(`The idempotency key was used before: run ${shortId(run.id)} (${run.status}).`);
        printSummary(out, final);
      }
      failOnErrors(final);
    });

  sync
    .command('runs')
    .description('recent sync runs, newest first')
    .option('--connection <name>', 'only this connection')
    .option('--status <statuses>', `only these statuses: ${RUN_STATUSES.join(', ')}`, list)
    .option('--entity <type>', `only runs that synced this type: ${SYNCED_TYPES.join(', ')}`)
    .option('--from <time>', 'only runs requested since this time (ISO 8601, or a date)')
    .option('--to <time>', 'only runs requested up to this time (ISO 8601, or a date: to its end)')
    .option('--limit <n>', 'at most this many (default 20)', integer('--limit', 1))
    .option('--offset <n>', 'skip this many', integer('--offset', 0))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'pm sync runs',
        'pm sync runs --status failed,completed_with_errors --json',
        'pm sync runs --entity comments --from 2026-12-01 --to 2026-12-03',
      ),
    )
    .action(async (opts: RunListOptions) => {
      const service = await session.syncService();
      for (const status of opts.status ?? []) choice<RunStatus>('--status', RUN_STATUSES, status);
      const entity = choice('--entity', SYNCED_TYPES, opts.entity);
      const from = bound('--from', opts.from, 'start');
      const to = bound('--to', opts.to, 'end');
      const page = await service.listRuns({
        ...(opts.connection ? { connection: opts.connection } : {}),
        ...(opts.status?.length ? { status: opts.status as RunStatus[] } : {}),
        ...(entity ? { entity } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        limit: opts.limit ?? 20,
        offset: opts.offset ?? 0,
      });
      if (opts.json) return out.json(page);
      if (page.runs.length === 0) return out.note('No sync runs yet: pm sync run');
      out.table(
        [
          { header: 'ID' },
          { header: 'CONNECTION' },
          { header: 'STARTED' },
          { header: 'MODE' },
          { header: 'DIRECTION' },
          { header: 'STATUS' },
          { header: 'DONE', align: 'right' },
          { header: 'FAILED', align: 'right' },
          { header: 'TOOK', align: 'right' },
        ],
        page.runs.map((r) => [
          shortId(r.id),
          r.connection,
          out.when(r.started_at ?? r.created_at),
          r.mode,
          `${r.direction}${r.dry_run ? ' (dry)' : ''}${r.overwrite_mode ? ` (overwrite: ${r.deletion_count} ${r.dry_run ? 'to delete' : 'deleted'})` : ''}`,
          r.status,
          totals(r).done,
          totals(r).failed,
          seconds(r.duration_ms),
        ]),
      );
      if (page.total > page.runs.length) out.note(out.c.dim(`${page.runs.length} of ${page.total} runs (--limit, --offset)`));
    });

  sync
    .command('show')
    .description('one sync run: its counts and every item it acted on')
    .argument('<id>', 'run id (or the tail pm sync runs shows)')
    .addOption(jsonOption())
    .addHelpText('after', example('pm sync show 0f3a2b1c9d8e', 'pm sync show 0f3a2b1c9d8e --json'))
    .action(async (ref: string, opts: { json?: boolean }) => {
      const service = await session.syncService();
      const detail = await service.getRun(ref);
      if (opts.json) return out.json(detail);
      const { run, items } = detail;
      const { done, failed } = totals(run);
      const when = (at: string | null) => (at === null ? null : out.when(at));
      out.fields([
        ['run', run.id],
        ['connection', run.connection],
        ['status', run.status.replace(/_/g, ' ')],
        ['mode', run.mode],
        ['direction', run.direction],
        ['dry run', run.dry_run ? 'yes: nothing was changed' : 'no'],
        ['overwrite', run.overwrite_mode ? 'yes: remote records pm does not have are deleted' : 'no'],
        ...(run.overwrite_mode
          ? [
              [
                run.dry_run ? 'would delete' : 'deleted remotely',
                `${run.deletion_count} record${run.deletion_count === 1 ? '' : 's'}`,
              ] as const,
            ]
          : []),
        ['filters', Object.keys(run.filters).length ? JSON.stringify(run.filters) : null],
        ['requested by', run.requested_by],
        ['requested', when(run.created_at)],
        ['started', when(run.started_at)],
        ['finished', when(run.finished_at)],
        ['duration', run.duration_ms === null ? null : seconds(run.duration_ms)],
        ['records', `${done} done, ${failed} failed`],
        ['error', run.error],
        ['retry of', run.retry_of === null ? null : shortId(run.retry_of)],
      ]);
      if (Object.keys(run.counters).length) {
        out.line();
        out.line('By type:');
      }
      printCounters(out, run);
      if (items.length) {
        out.line();
        printItems(out, items);
      }
    });

  sync
    .command('failures')
    .description('records that failed in a sync run and were not retried since')
    .option('--connection <name>', 'only this connection')
    .option('--entity <type>', entityHelp)
    .option('--limit <n>', 'at most this many (default 100)', integer('--limit', 1))
    .addOption(jsonOption())
    .addHelpText('after', example('pm sync failures', 'pm sync failures --entity comments --json'))
    .action(async (opts: { connection?: string; entity?: string; limit?: number; json?: boolean }) => {
      const service = await session.syncService();
      const entity = choice('--entity', SYNCED_TYPES, opts.entity);
      const page = await service.failures({
        ...(opts.connection ? { connection: opts.connection } : {}),
        ...(entity ? { entity } : {}),
        limit: opts.limit ?? 100,
      });
      if (opts.json) return out.json(page);
      if (page.items.length === 0) return out.note('No open failures.');
      printItems(out, page.items);
      out.note(
        out.c.dim(`${page.total} open failure${page.total === 1 ? '' : 's'}: pm sync retry (all) or pm sync retry ID (one)`),
      );
    });

  sync
    .command('retry')
    .description('run again what failed: failures by id, or every open failure of a connection (of one type)')
    .argument('[ids...]', 'failure ids (from pm sync failures); default: all')
    .option('--connection <name>', 'with no id: the connection whose failures to retry')
    .option('--entity <type>', entityHelp)
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm sync retry', 'pm sync retry 5c1d2e3f4a5b', 'pm sync retry --entity comments'))
    .action(async (refs: string[], opts: { connection?: string; entity?: string; json?: boolean }) => {
      const service = await session.syncService();
      const entity = choice('--entity', SYNCED_TYPES, opts.entity);
      // One id is refused when it is no failure (any more); of several, those still failed are retried.
      const run = await service.retry({
        ...(refs.length === 1 && !entity ? { item: refs[0]! } : refs.length > 0 ? { items: refs } : {}),
        ...(opts.connection ? { connection: opts.connection } : {}),
        ...(entity ? { entity } : {}),
      });
      if (!run) {
        if (opts.json) return out.json({ run: null, items: [] });
        return out.note('No open failures to retry.');
      }
      const final = await followWithProgress(session, service, run);
      if (opts.json) out.json(await service.getRun(final.id));
      else printSummary(out, final);
      failOnErrors(final);
    });

  sync
    .command('ignore')
    .description('mark a push failure not to sync: the remote refuses the record, so later runs leave it alone')
    .argument('<id>', 'failure id (from pm sync failures)')
    .option('--undo', 'sync the record again: its failure is open again until a run settles it')
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm sync ignore 5c1d2e3f4a5b', 'pm sync ignore --undo 5c1d2e3f4a5b'))
    .action(async (ref: string, opts: { undo?: boolean; json?: boolean }) => {
      const service = await session.syncService();
      const item = opts.undo ? await service.markSynced(ref) : await service.markNotSynced(ref);
      if (opts.json) return out.json(item);
      const record = `${label(item.entity_type)} ${shortId(item.local_id ?? item.id)}`;
      if (opts.undo) out.line(`${record} syncs again: the next run tries it (failure ${shortId(item.id)} is open again).`);
      else out.line(`${record} is not synced any more: runs skip it (undo: pm sync ignore --undo ${shortId(item.id)}).`);
    });

  sync
    .command('cancel')
    .description('stop a queued or running sync run (it stops at its next record)')
    .argument('<id>', 'run id (or its tail)')
    .addOption(quietOption())
    .addOption(jsonOption())
    .action(async (ref: string, opts: { json?: boolean }) => {
      const service = await session.syncService();
      const run = await service.cancel(ref);
      if (opts.json) return out.json(run);
      out.line(
        run.status === 'cancelled' ? `Run ${shortId(run.id)} cancelled.` : `Run ${shortId(run.id)} will stop at its next record.`,
      );
    });
}

/**
 * An overwrite deletes remote records: on a terminal a dry run says how many first and the user
 * agrees; without a terminal (and without --yes) it is refused before anything runs.
 */
async function confirmOverwrite(session: Session, service: SyncService, request: RunRequest): Promise<boolean> {
  const ask = session.io.ask;
  if (!ask)
    throw new ValidationError([
      {
        path: '--yes',
        message:
          'pm sync run --overwrite deletes remote records pm does not have and there is no terminal to ask on: pass --yes to mean it (--dry-run shows what it would delete)',
      },
    ]);
  const { idempotency_key: _key, ...preview } = request;
  const { run } = await service.request({ ...preview, dry_run: true });
  const planned = await service.follow(run.id, () => undefined);
  if (planned.status === 'failed') throw new RemoteError(`could not work out the overwrite: ${planned.error ?? 'unknown error'}`);
  const n = planned.deletion_count;
  const answer = await ask(
    `Overwrite ${planned.connection} with pm? This deletes ${n} remote record${n === 1 ? '' : 's'} pm does not have and puts pm's fields over remote edits (dry run ${shortId(run.id)}). [y/N] `,
  );
  if (/^y(es)?$/i.test(answer.trim())) return true;
  session.out.note('Nothing changed.');
  return false;
}

/** Runs (or follows) a run with a live bar on a terminal; Ctrl-C asks the run to stop cleanly. */
async function followWithProgress(session: Session, service: SyncService, run: SyncRun): Promise<SyncRun> {
  const stderr = process.stderr;
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  const show = session.io.isTTY && stderr.isTTY && !session.out.quiet;
  const onEvent = (event: RunEvent) => {
    if (!show || event.type !== 'progress') return;
    if (event.phase !== phase) {
      bar?.stop();
      phase = event.phase;
      bar = new cliProgress.SingleBar(
        // The bar writes to the terminal itself: the phase (a server's word, with --server) passes the output's sanitizer first.
        {
          format: `${terminalSafe(event.phase).padEnd(9)} |{bar}| {value}/{total}`,
          stream: stderr,
          clearOnComplete: true,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(event.total, event.done);
    }
    if (bar && event.total !== bar.getTotal()) bar.setTotal(event.total);
    bar?.update(event.done);
  };
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    session.out.note('\nStopping at the next record (Ctrl-C again to quit at once)…');
    void service.cancel(run.id).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    return await service.follow(run.id, onEvent);
  } finally {
    process.off('SIGINT', onSigint);
    bar?.stop();
  }
}

function failOnErrors(run: SyncRun): void {
  if (run.status === 'failed') throw new RemoteError(`sync run ${shortId(run.id)} failed: ${run.error ?? 'unknown error'}`);
  if (run.status === 'completed_with_errors') {
    const { failed } = totals(run);
    throw new RemoteError(
      `sync run ${shortId(run.id)}: ${failed} record${failed === 1 ? '' : 's'} failed (pm sync failures, then pm sync retry)`,
    );
  }
}

function totals(run: SyncRun): { done: number; failed: number } {
  const { records_completed, records_failed } = runTotals(run.counters);
  return { done: records_completed, failed: records_failed };
}

function seconds(ms: number | null): string {
  return ms === null ? '' : `${(ms / 1000).toFixed(1)} s`;
}

function printSummary(out: Output, run: SyncRun): void {
  const deleted = run.overwrite_mode
    ? `, overwrite: ${run.deletion_count} remote record${run.deletion_count === 1 ? '' : 's'} ${run.dry_run ? 'to be deleted' : 'deleted'}`
    : '';
  const what = `${run.mode}, ${run.direction}${deleted}${run.dry_run ? ', dry run: nothing was changed' : ''}`;
  out.line(`Run ${shortId(run.id)} ${run.status.replace(/_/g, ' ')} in ${seconds(run.duration_ms)} (${what})`);
  printCounters(out, run);
}

function printCounters(out: Output, run: SyncRun): void {
  const order = ['create', 'update', 'delete', 'link', 'conflict', 'unchanged', 'skipped', 'failed'];
  const words: Record<string, string> = {
    create: 'created',
    update: 'updated',
    delete: 'deleted',
    link: 'linked',
    conflict: 'conflicts',
    unchanged: 'unchanged',
    skipped: 'skipped',
    failed: 'failed',
  };
  for (const [type, counters] of Object.entries(run.counters)) {
    const n = counters as Record<string, number>;
    const parts = order
      .filter((k) => n[k])
      .map(
        (k) =>
          `${n[k]} ${run.dry_run && k !== 'unchanged' && k !== 'failed' ? `to be ${words[k]}` : words[k]}${k === 'delete' && n.overwrite_deleted ? ` (${n.overwrite_deleted} not in pm)` : ''}`,
      );
    if (parts.length) out.line(`  ${type.replace('_', ' ')}: ${parts.join(', ')}`);
  }
}

function label(type: string): string {
  return isEntityType(type) ? ENTITIES[type].label : type;
}

function printItems(out: Output, items: readonly SyncRunItem[]): void {
  out.table(
    [
      { header: 'ID' },
      { header: 'TYPE' },
      { header: 'LOCAL' },
      { header: 'REMOTE' },
      { header: 'DIR' },
      { header: 'OP' },
      { header: 'STATUS' },
      { header: 'TRIES', align: 'right' },
      { header: 'ERROR', flex: true },
    ],
    items.map((i) => [
      shortId(i.id),
      label(i.entity_type),
      i.local_id ? shortId(i.local_id) : '',
      i.remote_id ?? '',
      i.direction,
      i.operation,
      i.status,
      i.attempts,
      i.error ?? '',
    ]),
  );
}
