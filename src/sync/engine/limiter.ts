import type { RateReservation } from '../../store/index.js';

/** What the engine's connectors wait on before every remote request. */
export interface Limiter {
  /** Resolves when a request may go. Callers (of one process) are served in order. */
  acquire(): Promise<void>;
}

/**
 * A token bucket: at most `perSecond` requests a second on average, `burst` at once. It holds
 * in this process only: a run's workers share it, other processes do not (`SharedRateLimiter`).
 */
export class RateLimiter implements Limiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, perSecond),
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when a request may go. Callers are served in order. */
  acquire(): Promise<void> {
    if (!Number.isFinite(this.perSecond) || this.perSecond <= 0) return Promise.resolve();
    const turn = this.queue.then(() => this.take());
    this.queue = turn;
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)));
    }
  }
}

/** Reserves the next request's turn for every process (`Store.reserveRequest`): when it may go. */
export type Reserve = (reservation: RateReservation) => Promise<number>;

/**
 * The same limit as `RateLimiter` (and the same burst), held by every process that reserves
 * through one database (scale-out): each request first takes its turn there, one round trip.
 * Within the process callers queue as before, so a process has at most one reservation waiting
 * and one process's backlog never runs the shared turns ahead.
 */
export class SharedRateLimiter implements Limiter {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    private readonly reserve: Reserve,
    private readonly now: () => number = () => Date.now(),
    private readonly burst = Math.max(1, perSecond),
  ) {}

  acquire(): Promise<void> {
    if (!Number.isFinite(this.perSecond) || this.perSecond <= 0) return Promise.resolve();
    const turn = this.queue.then(() => this.take());
    // A failed reservation fails its request only, not the callers behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    const at = await this.reserve({ now: this.now(), intervalMs: 1000 / this.perSecond, burst: this.burst });
    for (let wait = at - this.now(); wait > 0; wait = at - this.now())
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
  }
}
