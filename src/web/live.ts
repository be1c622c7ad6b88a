import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { EntityType } from '../domain/index.js';
import { openStream } from './events.js';

/** What `GET /api/v1/events` sends (see src/server/change-feed.ts). */
export interface StoreChanges {
  seq: number;
  changes: Partial<Record<EntityType, string[]>>;
  truncated: boolean;
}
export interface SyncActivity {
  active: { id: string; connection: string; status: string }[];
  latest: { id: string; connection: string; status: string; finished_at: string | null } | null;
}

export type FeedMessage = { type: 'changes'; data: StoreChanges } | { type: 'sync'; data: SyncActivity };

/** Whether the page hears about changes as they happen. */
export const live = signal<'connecting' | 'live' | 'offline'>('connecting');
export const syncActivity = signal<SyncActivity>({ active: [], latest: null });

const listeners = new Set<(message: FeedMessage) => void>();
let stream: { stop(): void } | undefined;

/** Listens to the server's change feed for as long as the page is open (after login). */
export function startFeed(): void {
  stream?.stop();
  live.value = 'connecting';
  stream = openStream('/events', {
    onOpen: () => (live.value = 'live'),
    onDrop: () => (live.value = 'offline'),
    onEvent: (event, data) => {
      if (event === 'hello') syncActivity.value = (data as { sync: SyncActivity }).sync;
      else if (event === 'sync') {
        syncActivity.value = data as SyncActivity;
        for (const listener of listeners) listener({ type: 'sync', data: data as SyncActivity });
      } else if (event === 'changes') {
        for (const listener of listeners) listener({ type: 'changes', data: data as StoreChanges });
      }
    },
  });
}

export function stopFeed(): void {
  stream?.stop();
  stream = undefined;
}

/** True when a change touches any of these types (or is too big to say). */
export function touches(changes: StoreChanges, ...types: EntityType[]): boolean {
  return changes.truncated || types.some((t) => (changes.changes[t]?.length ?? 0) > 0);
}

/** Calls `handler` on each feed message while the component is mounted. */
export function useFeed(handler: (message: FeedMessage) => void): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    const listener = (message: FeedMessage) => current.current(message);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
}
