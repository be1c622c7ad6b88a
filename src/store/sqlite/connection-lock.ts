/**
 * Turns on a process's one SQLite connection: whoever holds it runs alone on it, a transaction
 * from its begin to its end. The store's own reads and Kysely's queries (through its driver)
 * take the same lock, so neither runs inside the other's transaction. First come, first served.
 */
export class ConnectionLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }

  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
