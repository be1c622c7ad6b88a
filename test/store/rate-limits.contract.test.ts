import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { DIALECTS, storeTarget, storesOn } from '../helpers/stores.js';

/** Shared rate limits (scale-out): reservations on a fake clock, from two stores on one database as two processes have. */

const T0 = Date.parse('2026-11-21T10:00:00.000Z');

/** When each reservation may go, in ms after T0 (0: at once). */
function after(at: readonly number[]): number[] {
  return at.map((t) => Math.max(0, Math.round((t - T0) * 1000) / 1000));
}

describe.each(DIALECTS)('shared rate limits on %s', (dialect) => {
  const twoStores = async () => (await storesOn(storeTarget(dialect), 2)) as [Store, Store];

  it('lets a burst go at once and spaces the requests after it 1/rate apart, whichever store reserves', async () => {
    const [a, b] = await twoStores();
    const limit = { now: T0, intervalMs: 100, burst: 3 };
    const at: number[] = [];
    for (let i = 0; i < 7; i++) at.push(await (i % 2 === 0 ? a : b).reserveRequest('redmine', limit));
    expect(after(at)).toEqual([0, 0, 0, 100, 200, 300, 400]);
  });

  it('gives reservations made at the same moment from two stores a turn each, 1/rate apart', async () => {
    const [a, b] = await twoStores();
    const limit = { now: T0, intervalMs: 1000 / 3, burst: 1 };
    const at = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).reserveRequest('redmine', limit)));
    const sorted = after(at).sort((x, y) => x - y);
    expect(sorted[0]).toBe(0);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeCloseTo(1000 / 3, 2);
  });

  it('keeps connections apart: another connection has its own burst', async () => {
    const [a, b] = await twoStores();
    const limit = { now: T0, intervalMs: 100, burst: 1 };
    await a.reserveRequest('redmine', limit);
    expect(after([await b.reserveRequest('redmine', limit)])).toEqual([100]);
    expect(after([await b.reserveRequest('openproject', limit)])).toEqual([0]);
    expect(after([await a.reserveRequest('openproject', limit)])).toEqual([100]);
  });

  it('refills while no one asks, but never past the burst', async () => {
    const [a, b] = await twoStores();
    const limit = { intervalMs: 100, burst: 2 };
    for (let i = 0; i < 5; i++) await a.reserveRequest('redmine', { now: T0, ...limit });
    // The last went at T0 + 300; a minute later a burst of two goes at once, then one per interval.
    const later = T0 + 60_000;
    const at = [];
    for (let i = 0; i < 4; i++) at.push(await (i % 2 === 0 ? b : a).reserveRequest('redmine', { now: later, ...limit }));
    expect(at.map((t) => Math.max(0, t - later))).toEqual([0, 0, 100, 200]);
  });

  it('waits at most a minute for turns a clock far ahead reserved', async () => {
    const [a, b] = await twoStores();
    const limit = { intervalMs: 100, burst: 1 };
    for (let i = 0; i < 3; i++) await a.reserveRequest('redmine', { now: T0 + 3_600_000, ...limit });
    expect(after([await b.reserveRequest('redmine', { now: T0, ...limit })])).toEqual([60_000]);
  });
});
