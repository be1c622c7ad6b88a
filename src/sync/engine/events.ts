import type { SyncRun, SyncRunItem } from '../../domain/index.js';

/** What a run reports while it goes: the stream behind progress bars and server-sent events. */
export type RunEvent =
  | { type: 'run_started'; run: SyncRun }
  | { type: 'item_done' | 'item_failed' | 'item_planned'; item: SyncRunItem }
  | { type: 'progress'; run_id: string; phase: RunPhase; done: number; total: number }
  | RunWaiting
  | { type: 'run_finished'; run: SyncRun };

export type RunPhase = 'pull' | 'push' | 'deletions' | 'overwrite';

/** The run waits before it tries a remote request again: the remote rate-limited it, or failed. */
export interface RunWaiting {
  type: 'waiting';
  run_id: string;
  reason: 'rate_limited' | 'retry';
  delay_ms: number;
  /** When the wait ends (ISO 8601). */
  until: string;
  message: string;
}

export type RunListener = (event: RunEvent) => void;

export function runIdOf(event: RunEvent): string {
  return 'run' in event ? event.run.id : 'item' in event ? event.item.run_id : event.run_id;
}

/** Subscriptions to runs' events, per run or for all runs. A listener that throws is dropped. */
export class RunEvents {
  private readonly listeners = new Map<string, Set<RunListener>>();

  /** Listens to one run (or every run for '*'); returns the way to stop. */
  on(runId: string, listener: RunListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  emit(event: RunEvent): void {
    for (const id of [runIdOf(event), '*']) {
      for (const listener of this.listeners.get(id) ?? []) {
        try {
          listener(event);
        } catch {
          this.listeners.get(id)?.delete(listener);
        }
      }
    }
  }
}
