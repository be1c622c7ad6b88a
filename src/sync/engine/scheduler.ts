import type { SyncEngine } from './engine.js';

export interface ScheduledConnection {
  name: string;
  everyMs: number;
}

/**
 * Runs connections on their own every so often (`every = "15m"` in config.toml), inside
 * `pm serve`: an incremental run each time, skipped while the connection has a run going.
 * The first run after a start comes one interval after the connection's last run (at once if
 * that is past), so restarting the server neither skips nor doubles runs.
 */
/** A timer may fire this much before its due time (timers and clocks of servers are not exact). */
const DUE_SLACK_MS = 1_000;

export class SyncScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly next = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly engine: SyncEngine,
    private readonly connections: readonly ScheduledConnection[],
    private readonly options: { clock?: () => number; log?: (message: string) => void } = {},
  ) {}

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  async start(): Promise<void> {
    for (const c of this.connections) {
      const { runs } = await this.engine.listRuns({ connection: c.name, limit: 1 });
      const last = runs[0] ? Date.parse(runs[0].created_at) : undefined;
      this.plan(c, last === undefined ? this.now() + c.everyMs : Math.max(this.now(), last + c.everyMs));
    }
  }

  /** When a connection runs next (ISO 8601), or null when it is not scheduled. */
  nextRunAt(name: string): string | null {
    const at = this.next.get(name);
    return at === undefined ? null : new Date(at).toISOString();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.next.clear();
  }

  private plan(c: ScheduledConnection, at: number): void {
    if (this.stopped) return;
    this.next.set(c.name, at);
    const timer = setTimeout(() => void this.fire(c), Math.max(0, at - this.now()));
    timer.unref();
    this.timers.set(c.name, timer);
  }

  private async fire(c: ScheduledConnection): Promise<void> {
    let next = this.now() + c.everyMs;
    try {
      const { runs } = await this.engine.listRuns({ connection: c.name, status: ['queued', 'running'], limit: 1 });
      const last = (await this.engine.listRuns({ connection: c.name, limit: 1 })).runs[0];
      const due = last === undefined ? this.now() : Date.parse(last.created_at) + c.everyMs;
      // Another server (or a person) started a run since this timer was set: the interval counts from it.
      if (due - this.now() > Math.min(DUE_SLACK_MS, c.everyMs / 2)) next = due;
      else if (runs.length === 0) {
        const who = { actor: 'pm serve (schedule)' };
        // Servers that scale out fire together: the run that follows one last run is one run, whoever asks.
        const idempotency_key = `schedule:after:${last?.id ?? 'none'}`;
        const { run, created } = await this.engine.request({ connection: c.name, mode: 'incremental', idempotency_key }, who);
        if (created) void this.engine.execute(run.id, who).catch((error: unknown) => this.log(c, error));
      }
    } catch (error) {
      this.log(c, error);
    }
    this.plan(c, next);
  }

  private log(c: ScheduledConnection, error: unknown): void {
    this.options.log?.(`scheduled sync of ${c.name}: ${(error as Error).message}`);
  }
}
