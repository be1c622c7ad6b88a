import { ConfigError } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { ConnectionSettings, SyncedType } from '../connectors/index.js';
import { recordConsistency } from './health.js';
import { Puller, type Listings } from './pull.js';
import { Pusher } from './push.js';
import { RemoteDeletions } from './remote-deletions.js';
import { Overwrite } from './overwrite.js';
import { RunContext, type RunEnvironment } from './run-context.js';
import { SyncConflicts } from './sync-conflicts.js';

export type { RunEnvironment } from './run-context.js';

/** What the run leaves besides its items: the cursors to save when nothing failed. */
export interface RunResult {
  /** Where each type that lists incrementally starts next time. */
  cursors: Map<SyncedType, string>;
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
  const incrementalTypes = ctx.types.filter((t) => ctx.resource(t).listing === 'incremental');

  // Where each type's next listing starts: the remote's time when this one began, or no later than that.
  const cursorsOf = (listings: Listings) => {
    const cursors = new Map<SyncedType, string>();
    for (const type of incrementalTypes) {
      const done = listings.get(type);
      const cursor = done && latest(done.cursor, ctx.remoteTimeAt(done.startedAt));
      if (cursor) cursors.set(type, cursor);
    }
    return cursors;
  };

  let listings: Listings | undefined;
  if (pulls) {
    const saved = new Map<SyncedType, string>();
    if (env.run.mode === 'incremental')
      for (const type of incrementalTypes) {
        const cursor = await env.store.sync.getCursor(ctx.name, type);
        if (cursor) saved.set(type, cursor);
      }
    listings = await puller.pull(saved);
  }
  // An overwrite run only pushes: it reads the remote itself, to delete and to overwrite.
  const overwrite = env.run.overwrite_mode ? new Overwrite(ctx) : undefined;
  if (overwrite && !ctx.stopped()) await overwrite.prepare();
  if (pushes && !ctx.stopped()) await pusher.push(false);
  if (overwrite && !ctx.stopped()) await overwrite.finish();
  if (listings && !ctx.filter.partial && !ctx.stopped()) await deletions.find(listings);
  const census = listings;
  if (listings && ctx.remoteWrites > 0 && !ctx.filter.partial && !ctx.stopped()) {
    // What changed remotely while this run pushed (its own writes are recognised and skipped):
    // taken in now, so the next run starts after this one instead of re-reading it all.
    ctx.catchingUp = true;
    try {
      listings = await puller.pull(cursorsOf(listings));
      if (pushes && !ctx.stopped()) await pusher.push(true);
    } catch (error) {
      // What this run did stands; the next run lists these changes from the older cursors.
      env.log(`sync: catching up after the push failed (${(error as Error).message}); the next run reads those changes`);
      listings = undefined;
    }
  }
  await ctx.flushLinks();
  if (census && !ctx.filter.partial && !ctx.stopped() && !ctx.dry) await recordConsistency(ctx, census);
  if (pusher.createsSettled && !ctx.stopped() && !ctx.dry) await env.store.write((tx) => tx.setMeta(pusher.createsKey, ''));
  const pushedAll = pushes && !ctx.filter.partial && !ctx.stopped() && !ctx.dry;
  return {
    cursors: ctx.filter.partial || !listings ? new Map<SyncedType, string>() : cursorsOf(listings),
    localCursor: pushedAll ? ctx.localCursor() : undefined,
  };
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The pm project a connection syncs: its `pm_project`, or the only project there is. */
export async function syncedProject(store: Store, connection: ConnectionSettings<object>): Promise<{ id: string; key: string }> {
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
