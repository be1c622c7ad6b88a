/**
 * A token bucket: at most `perSecond` requests a second on average, `burst` at once. One per
 * connection, shared by its workers, so a run never floods the remote tracker.
 */
export class RateLimiter {
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
