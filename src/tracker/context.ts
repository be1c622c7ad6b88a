import type { Author, Clock } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** What every use case needs: where the data is, who is acting, and what "finished" means. */
export interface TrackerContext {
  store: Store;
  actor: string;
  clock: Clock;
  doneStatuses: readonly string[];
}

export function authorOf(ctx: Pick<TrackerContext, 'actor' | 'clock'>): Author {
  return { actor: ctx.actor, now: ctx.clock() };
}

/** A person as commands name them: `me` is the actor. */
export function person<T extends string | null | undefined>(ctx: Pick<TrackerContext, 'actor'>, who: T): T | string {
  return who === 'me' ? ctx.actor : who;
}
