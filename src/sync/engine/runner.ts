import { ConfigError } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { PullOutcome } from '../connectors/index.js';
import { Puller } from './pull.js';
import { Pusher } from './push.js';
import { RemoteDeletions } from './remote-deletions.js';
import { RunContext, type RunEnvironment } from './run-context.js';
import type { ConnectionSettings } from './settings.js';
import { SyncConflicts } from './sync-conflicts.js';

export type { RunEnvironment } from './run-context.js';

/** A pull's outcome, with the local time its listing began. */
type Listing = PullOutcome & { startedAt: number };

/** What the run leaves besides its items: the cursors to save when nothing failed. */
export interface RunResult {
  cursor: string | undefined;
  /** The push saw every local change up to here (see `LocalChanges`). */
  localCursor: string | undefined;
}

/**
 * One run of one connection: pull (remote changes merged into local records), push (local
 * changes out), on full runs the census of remote deletions, then a second, short pull of what
 * changed remotely while it pushed. Local writes commit with their link; remote writes are
 * retried; a create that may have happened is looked up by its pm id before it is made again.
 */
export async function executeRun(env: RunEnvironment): Promise<RunResult> {
  const ctx = await RunContext.load(env);
  const puller = new Puller(ctx, await SyncConflicts.load(ctx));
  const deletions = new RemoteDeletions(ctx, puller);
  const pusher = new Pusher(ctx, deletions);
  const pulls = env.run.direction !== 'push';
  const pushes = env.run.direction !== 'pull';

  const list = async (cursor: string | undefined): Promise<Listing> => {
    const startedAt = Date.now();
    return { ...(await puller.pull(cursor)), startedAt };
  };
  // Where the next listing starts: the remote's time when this one began, or no later than that.
  const cursorOf = (done: Listing) => latest(done.cursor, ctx.remoteTimeAt(done.startedAt));

  let listing: Listing | undefined;
  if (pulls) {
    const saved = env.run.mode === 'incremental' ? await env.store.sync.getCursor(ctx.name, 'work_items') : undefined;
    listing = await list(saved);
  }
  if (pushes && !ctx.stopped()) await pusher.push(false);
  if (listing?.census && !ctx.filter.partial && !ctx.stopped()) await deletions.find(listing.census);
  if (listing && ctx.remoteWrites > 0 && !ctx.filter.partial && !ctx.stopped()) {
    // What changed remotely while this run pushed (its own writes are recognised and skipped):
    // taken in now, so the next run starts after this one instead of re-reading it all.
    ctx.catchingUp = true;
    try {
      listing = await list(cursorOf(listing));
      if (pushes && !ctx.stopped()) await pusher.push(true);
    } catch (error) {
      // What this run did stands; the next run lists these changes from the older cursor.
      env.log(`sync: catching up after the push failed (${(error as Error).message}); the next run reads those changes`);
      listing = undefined;
    }
  }
  await ctx.flushLinks();
  if (pusher.createsSettled && !ctx.stopped() && !ctx.dry) await env.store.write((tx) => tx.setMeta(pusher.createsKey, ''));
  const pushedAll = pushes && !ctx.filter.partial && !ctx.stopped() && !ctx.dry;
  return {
    cursor: ctx.filter.partial || !listing ? undefined : cursorOf(listing),
    localCursor: pushedAll ? ctx.localCursor() : undefined,
  };
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The pm project a connection syncs: its `pm_project`, or the only project there is. */
export async function syncedProject(store: Store, connection: ConnectionSettings): Promise<{ id: string; key: string }> {
  if (connection.pmProject) {
    const project = await store.projectByKey(connection.pmProject.toUpperCase());
    if (!project || project.deleted_at !== null) {
      throw new ConfigError(
        'config_invalid',
        `connection ${connection.name}: pm has no project ${connection.pmProject} (pm_project in .pm/config.toml)`,
      );
    }
    return project;
  }
  const projects = await store.list('projects', {});
  if (projects.length === 1) return projects[0]!;
  const why =
    projects.length === 0
      ? 'pm has no project yet'
      : `say which project it syncs: pm connect ${connection.kind} --pm-project KEY`;
  throw new ConfigError('config_invalid', `connection ${connection.name}: ${why}`);
}
