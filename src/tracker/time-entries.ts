import {
  StateError,
  ValidationError,
  newId,
  newMeta,
  newTimeEntryInput,
  parseInput,
  timeEntryPatch,
  timerInput,
  toTimestamp,
  type NewTimeEntryInput,
  type TimeEntry,
  type TimeEntryPatch,
  type TimerInput,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, person, type TrackerContext } from './context.js';
import { checkVersion, deleteRecord, patchRecord } from './records.js';
import { keyOf, projectKeys, requireById, resolveItem } from './refs.js';
import type { TimeEntryView, TimeQuery } from './tracker.js';

async function withKeys(tx: Store, entries: readonly TimeEntry[]): Promise<TimeEntryView[]> {
  const items = await tx.getMany('work_items', [...new Set(entries.map((e) => e.work_item_id))]);
  const keys = await projectKeys(tx);
  return entries.map((e) => {
    const item = items.get(e.work_item_id);
    return { ...e, key: item ? keyOf(keys, item) : e.work_item_id };
  });
}

async function runningTimer(tx: Store, user: string): Promise<TimeEntry | undefined> {
  const [running] = await tx.list('time_entries', { where: { user_id: user, ended_at: null }, limit: 1 });
  return running;
}

/** Starts a timer on an item; one timer runs per person at a time. */
export async function startTimer(ctx: TrackerContext, tx: Store, raw: TimerInput): Promise<TimeEntryView> {
  const input = parseInput(timerInput, raw);
  const item = await resolveItem(tx, input.item);
  const running = await runningTimer(tx, ctx.actor);
  if (running) {
    const keys = await projectKeys(tx);
    const on = await tx.get('work_items', running.work_item_id);
    throw new StateError(
      'timer_running',
      `a timer is already running on ${on ? keyOf(keys, on) : running.work_item_id} since ${running.started_at}: run pm time stop first`,
    );
  }
  const author = authorOf(ctx);
  const entry: TimeEntry = {
    id: newId(),
    work_item_id: item.id,
    user_id: ctx.actor,
    started_at: toTimestamp(author.now),
    ended_at: null,
    duration_seconds: null,
    description: input.description ?? null,
    ...newMeta(author),
  };
  await tx.insert('time_entries', entry);
  return (await withKeys(tx, [entry]))[0]!;
}

export async function stopTimer(ctx: TrackerContext, tx: Store): Promise<TimeEntryView> {
  const running = await runningTimer(tx, ctx.actor);
  if (!running) throw new StateError('no_timer', `no timer is running for ${ctx.actor}: start one with pm time start KEY`);
  const now = ctx.clock();
  const ended = Math.max(now, Date.parse(running.started_at));
  const stopped = await patchRecord(ctx, tx, 'time_entries', running, {
    ended_at: toTimestamp(ended),
    // Whole seconds, rounded up: a timer that ran records at least a second, never 0s.
    duration_seconds: Math.max(1, Math.ceil((ended - Date.parse(running.started_at)) / 1000)),
  });
  return (await withKeys(tx, [stopped]))[0]!;
}

/** Records time already spent: it ends now (or at `started_at` + duration when given). */
export async function addTime(ctx: TrackerContext, tx: Store, raw: NewTimeEntryInput): Promise<TimeEntryView> {
  const input = parseInput(newTimeEntryInput, raw);
  const item = await resolveItem(tx, input.item);
  const author = authorOf(ctx);
  const started = input.started_at ? Date.parse(input.started_at) : author.now - input.duration_seconds * 1000;
  const entry: TimeEntry = {
    id: newId(),
    work_item_id: item.id,
    user_id: ctx.actor,
    started_at: toTimestamp(started),
    ended_at: toTimestamp(started + input.duration_seconds * 1000),
    duration_seconds: input.duration_seconds,
    description: input.description ?? null,
    ...newMeta(author),
  };
  await tx.insert('time_entries', entry);
  return (await withKeys(tx, [entry]))[0]!;
}

export async function listTime(ctx: TrackerContext, tx: Store, query: TimeQuery = {}): Promise<TimeEntryView[]> {
  const itemId = query.item === undefined ? undefined : (await resolveItem(tx, query.item, { deleted: true })).id;
  const entries = await tx.list('time_entries', {
    where: {
      ...(itemId === undefined ? {} : { work_item_id: itemId }),
      ...(query.user === undefined ? {} : { user_id: person(ctx, query.user) }),
    },
    orderBy: [
      ['started_at', 'asc'],
      ['id', 'asc'],
    ],
  });
  return withKeys(tx, entries);
}

export async function getTimeEntry(tx: Store, ref: string): Promise<TimeEntryView> {
  return (await withKeys(tx, [await requireById(tx, 'time_entries', ref)]))[0]!;
}

/**
 * Changes when a time entry started, how long it lasted or what it was for; `ended_at` stays
 * `started_at` + duration. A running timer has no duration yet: only its start and description
 * can change (its start not into the future), and `pm time stop` ends it.
 */
export async function editTime(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  raw: TimeEntryPatch,
  expectedVersion?: number,
): Promise<TimeEntryView> {
  const input = parseInput(timeEntryPatch, raw);
  const entry = await requireById(tx, 'time_entries', ref);
  checkVersion('time_entries', entry, expectedVersion);
  const started = input.started_at ?? entry.started_at;
  const patch: Partial<TimeEntry> = { started_at: started, description: input.description };
  if (entry.ended_at === null) {
    if (input.duration_seconds !== undefined) {
      throw new StateError(
        'timer_running',
        `time entry ${ref} is a running timer: stop it with pm time stop before setting its duration`,
      );
    }
    if (input.started_at !== undefined && Date.parse(input.started_at) > ctx.clock()) {
      throw new ValidationError([{ path: 'started_at', message: `a running timer cannot start in the future (${started})` }]);
    }
  } else if (
    (input.duration_seconds !== undefined && input.duration_seconds !== entry.duration_seconds) ||
    started !== entry.started_at
  ) {
    // Only a changed start or duration moves the end: a stopped timer's end keeps its milliseconds.
    const duration =
      input.duration_seconds ??
      entry.duration_seconds ??
      Math.round((Date.parse(entry.ended_at) - Date.parse(entry.started_at)) / 1000);
    patch.duration_seconds = duration;
    patch.ended_at = toTimestamp(Date.parse(started) + duration * 1000);
  }
  const edited = await patchRecord(ctx, tx, 'time_entries', entry, patch);
  return (await withKeys(tx, [edited]))[0]!;
}

/** Deletes a time entry (a tombstone); a running timer deleted this way is discarded. */
export async function removeTime(ctx: TrackerContext, tx: Store, ref: string): Promise<TimeEntryView> {
  const removed = await deleteRecord(ctx, tx, 'time_entries', await requireById(tx, 'time_entries', ref));
  return (await withKeys(tx, [removed]))[0]!;
}
