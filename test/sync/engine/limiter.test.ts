import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, SharedRateLimiter, type Reserve } from '../../../src/sync/engine/limiter.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** The clock the limiter reads: the faked Date, which moves only as timers are advanced. */
const clock = () => Date.now();

/** Asks for `n` turns at once; records, in order of resolution, which turn went and when (ms since T0). */
function request(limiter: RateLimiter | SharedRateLimiter, n: number) {
  const went: { turn: number; at: number }[] = [];
  const all = Promise.all(
    Array.from({ length: n }, (_, turn) => limiter.acquire().then(() => void went.push({ turn, at: Date.now() - T0 }))),
  );
  return { went, all };
}

describe('RateLimiter', () => {
  it('lets a burst go at once', async () => {
    const { went } = request(new RateLimiter(2, 3, clock), 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(went.map((w) => w.at)).toEqual([0, 0, 0]);
  });

  it('holds requests past the burst until a token comes back', async () => {
    const { went } = request(new RateLimiter(2, 2, clock), 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(went).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(went).toHaveLength(3);
  });

  it('spaces requests past the burst 1/perSecond apart', async () => {
    const { went, all } = request(new RateLimiter(2, 2, clock), 6);
    await vi.advanceTimersByTimeAsync(5_000);
    await all;
    expect(went.map((w) => w.at)).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('spaces requests evenly when 1/perSecond is not a whole number of milliseconds', async () => {
    const { went, all } = request(new RateLimiter(3, 1, clock), 7);
    await vi.advanceTimersByTimeAsync(5_000);
    await all;
    const at = went.map((w) => w.at);
    expect(at[0]).toBe(0);
    for (let i = 1; i < at.length; i++) {
      expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(333);
      expect(at[i]! - at[i - 1]!).toBeLessThanOrEqual(334);
    }
    // never more than perSecond on average
    expect(at[6]).toBeGreaterThanOrEqual(2000);
  });

  it('serves callers in the order they asked', async () => {
    const { went, all } = request(new RateLimiter(10, 2, clock), 8);
    await vi.advanceTimersByTimeAsync(2_000);
    await all;
    expect(went.map((w) => w.turn)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('serves a later caller after an earlier one still waiting', async () => {
    const limiter = new RateLimiter(1, 1, clock);
    const order: string[] = [];
    await limiter.acquire();
    const first = limiter.acquire().then(() => order.push('first'));
    await vi.advanceTimersByTimeAsync(600);
    const second = limiter.acquire().then(() => order.push('second'));
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('does not let a newcomer take a token a waiting caller is due', async () => {
    // The clock runs ahead of the timers (a busy event loop): the token that came back is B's.
    let now = 0;
    const limiter = new RateLimiter(1, 1, () => now);
    const order: string[] = [];
    await limiter.acquire();
    const b = limiter.acquire().then(() => order.push('B'));
    await vi.advanceTimersByTimeAsync(0);
    now = 1_000;
    const c = limiter.acquire().then(() => order.push('C'));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual(['B']);
    now = 2_000;
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([b, c]);
    expect(order).toEqual(['B', 'C']);
  });

  it('refills while idle, but never past the burst', async () => {
    const limiter = new RateLimiter(2, 2, clock);
    await vi.advanceTimersByTimeAsync(60_000);
    const { went, all } = request(limiter, 4);
    await vi.advanceTimersByTimeAsync(5_000);
    await all;
    expect(went.map((w) => w.at - 60_000)).toEqual([0, 0, 500, 1000]);
  });

  it('defaults the burst to perSecond', async () => {
    const { went } = request(new RateLimiter(4, undefined, clock), 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(250);
    expect(went).toHaveLength(5);
  });

  it('defaults the burst to one below one request a second', async () => {
    const { went } = request(new RateLimiter(0.5, undefined, clock), 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(went).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(went).toHaveLength(2);
  });

  it.each([0, -1, Infinity, NaN])('does not limit at all with perSecond %s', async (perSecond) => {
    const { went } = request(new RateLimiter(perSecond, 1, clock), 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(100);
    expect(went.every((w) => w.at === 0)).toBe(true);
  });

  it('reads time only from the clock it is given', async () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1, () => now);
    const { went } = request(limiter, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(1);
    // timers fire, but the injected clock has not moved: no token yet
    await vi.advanceTimersByTimeAsync(1_000);
    expect(went).toHaveLength(1);
    now = 1_000;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(went).toHaveLength(2);
  });
});

/** GCRA as the database keeps it (Store.reserveRequest), in memory: one turn per call, noted. */
function sharedTurns() {
  let tat = -Infinity;
  const asked: number[] = [];
  const reserve: Reserve = ({ now, intervalMs, burst }) => {
    asked.push(now - T0);
    tat = Math.max(tat, now) + intervalMs;
    return Promise.resolve(tat - burst * intervalMs);
  };
  return { reserve, asked };
}

describe('SharedRateLimiter', () => {
  it('spaces the requests of processes that reserve from one place 1/perSecond apart after one burst', async () => {
    const shared = sharedTurns();
    const a = request(new SharedRateLimiter(2, shared.reserve, clock), 3);
    const b = request(new SharedRateLimiter(2, shared.reserve, clock), 3);
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all([a.all, b.all]);
    const at = [...a.went, ...b.went].map((w) => w.at).sort((x, y) => x - y);
    expect(at).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('serves callers in the order they asked, reserving the next turn only once the last one went', async () => {
    const shared = sharedTurns();
    const { went, all } = request(new SharedRateLimiter(10, shared.reserve, clock, 2), 5);
    await vi.advanceTimersByTimeAsync(2_000);
    await all;
    expect(went.map((w) => w.turn)).toEqual([0, 1, 2, 3, 4]);
    expect(went.map((w) => w.at)).toEqual([0, 0, 100, 200, 300]);
    expect(shared.asked).toEqual([0, 0, 0, 100, 200]);
  });

  it('waits for its turn on the clock it is given', async () => {
    let now = T0;
    const { went } = request(new SharedRateLimiter(1, sharedTurns().reserve, () => now, 1), 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(went).toHaveLength(1);
    now = T0 + 1_000;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(went).toHaveLength(2);
  });

  it('fails the request whose reservation failed, and serves the ones behind it', async () => {
    const shared = sharedTurns();
    let fail = true;
    const limiter = new SharedRateLimiter(
      1,
      (r) => (fail ? ((fail = false), Promise.reject(new Error('db down'))) : shared.reserve(r)),
      clock,
    );
    const first = limiter.acquire();
    const second = limiter.acquire();
    await expect(first).rejects.toThrow('db down');
    await vi.advanceTimersByTimeAsync(0);
    await expect(second).resolves.toBeUndefined();
  });

  it.each([0, Infinity])('does not limit or reserve at all with perSecond %s', async (perSecond) => {
    const shared = sharedTurns();
    const { went } = request(new SharedRateLimiter(perSecond, shared.reserve, clock), 10);
    await vi.advanceTimersByTimeAsync(0);
    expect(went).toHaveLength(10);
    expect(shared.asked).toEqual([]);
  });
});
