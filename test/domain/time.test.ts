import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatLocal,
  normalizeTimestamp,
  parseDay,
  parseDuration,
  parseWhen,
  timeZoneOf,
  type TimeContext,
} from '../../src/domain/index.js';

/** Friday 2026-12-04 10:00 in Berlin (CET, UTC+1). */
const berlin: TimeContext = { now: Date.parse('2026-12-04T09:00:00.000Z'), timeZone: 'Europe/Berlin' };
const iso = (ms: number) => new Date(ms).toISOString();
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
};

describe('parseDuration', () => {
  it('reads hours, minutes, h:mm and a working day of 8h', () => {
    expect(parseDuration('1d')).toBe(8 * 3600);
    expect(parseDuration('2h30m')).toBe(9000);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('1:30')).toBe(5400);
    expect(parseDuration('1d 2h')).toBe(10 * 3600);
    expect(parseDuration('45')).toBe(45 * 60);
    expect(parseDuration('1:05:30')).toBe(3930);
  });

  it('refuses minutes or seconds of 60 and more after a colon, and nothing at all, naming the flag', () => {
    for (const bad of ['1:99', '1:60', '0:10:75', '0', '0m', 'soon', '1x', ''])
      expect(
        code(() => parseDuration(bad, '--duration')),
        bad,
      ).toMatch(/^validation_failed: --duration: expected a duration/);
  });
});

describe('parseWhen', () => {
  it('reads local times in the user zone', () => {
    expect(iso(parseWhen('14:30', '--started', berlin))).toBe('2026-12-04T13:30:00.000Z');
    expect(iso(parseWhen('2026-12-04 14:30', '--started', berlin))).toBe('2026-12-04T13:30:00.000Z');
    expect(iso(parseWhen('2026-07-04 14:30', '--started', berlin))).toBe('2026-07-04T12:30:00.000Z'); // summer time
    expect(iso(parseWhen('2026-12-04', '--started', berlin))).toBe('2026-12-03T23:00:00.000Z');
    expect(iso(parseWhen('2026-12-04T14:30', '--started', { ...berlin, timeZone: 'UTC' }))).toBe('2026-12-04T14:30:00.000Z');
  });

  it('reads today, yesterday, tomorrow, with or without a time, and relative times', () => {
    expect(iso(parseWhen('now', 'x', berlin))).toBe('2026-12-04T09:00:00.000Z');
    expect(iso(parseWhen('today', 'x', berlin))).toBe('2026-12-04T09:00:00.000Z');
    expect(iso(parseWhen('yesterday', 'x', berlin))).toBe('2026-12-03T09:00:00.000Z');
    expect(iso(parseWhen('tomorrow', 'x', berlin))).toBe('2026-12-05T09:00:00.000Z');
    expect(iso(parseWhen('yesterday 9:00', 'x', berlin))).toBe('2026-12-03T08:00:00.000Z');
    expect(iso(parseWhen('2d ago', 'x', berlin))).toBe('2026-12-02T09:00:00.000Z');
    expect(iso(parseWhen('1h30m ago', 'x', berlin))).toBe('2026-12-04T07:30:00.000Z');
  });

  it('reads a time a change of offset skips as after the gap, and one it repeats as its earlier instant, east and west of UTC', () => {
    const at = (text: string, timeZone: string) => iso(parseWhen(text, 'x', { now: berlin.now, timeZone }));
    expect(at('2026-03-29 02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(at('2026-03-08 02:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(at('2026-10-25 02:30', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z'); // CEST, not CET
    expect(at('2026-11-01 01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z'); // EDT, not EST
    expect(at('2026-10-25 03:30', 'Europe/Berlin')).toBe('2026-10-25T02:30:00.000Z'); // after the change
  });

  it('reads ISO 8601 with Z or an offset exactly', () => {
    expect(iso(parseWhen('2026-12-04T13:30:00Z', 'x', berlin))).toBe('2026-12-04T13:30:00.000Z');
    expect(iso(parseWhen('2026-12-04T13:30:00.250Z', 'x', berlin))).toBe('2026-12-04T13:30:00.250Z');
    expect(iso(parseWhen('2026-12-04T14:30:00+01:00', 'x', berlin))).toBe('2026-12-04T13:30:00.000Z');
  });

  it('refuses days and times that do not exist instead of rolling them over, naming the flag', () => {
    for (const bad of [
      '2026-02-30',
      '2026-02-30T10:00:00Z',
      '2025-02-29 10:00',
      '2026-12-04 25:00',
      '24:00',
      '9:60',
      'later',
      '2 ago',
    ])
      expect(
        code(() => parseWhen(bad, '--started', berlin)),
        bad,
      ).toMatch(/^validation_failed: --started: /);
    expect(code(() => parseWhen('2026-02-30', '--started', berlin))).toContain('no such date');
  });
});

describe('parseDay', () => {
  it('reads dates and today, tomorrow, yesterday in the user zone', () => {
    const lateNight = { now: Date.parse('2026-12-04T23:30:00.000Z'), timeZone: 'Europe/Berlin' }; // already the 5th there
    expect(parseDay('today', '--start', lateNight)).toBe('2026-12-05');
    expect(parseDay('tomorrow', '--start', berlin)).toBe('2026-12-05');
    expect(parseDay('yesterday', '--start', berlin)).toBe('2026-12-03');
    expect(parseDay('2026-12-24', '--start', berlin)).toBe('2026-12-24');
    expect(code(() => parseDay('2026-02-30', '--end', berlin))).toMatch(/^validation_failed: --end: /);
  });
});

describe('stored timestamps', () => {
  it('refuse a day that does not exist instead of taking February 30th for March 2nd', () => {
    expect(normalizeTimestamp('2026-02-30T10:00:00Z')).toBeNull();
    expect(normalizeTimestamp('2026-02-28T10:00:00Z')).toBe('2026-02-28T10:00:00.000Z');
  });
});

describe('display', () => {
  it('shows times in the user zone, with its offset, and how long ago', () => {
    expect(formatLocal('2026-12-04T13:30:00.000Z', 'Europe/Berlin')).toBe('2026-12-04 14:30 UTC+1');
    expect(formatLocal('2026-07-04T13:30:00.000Z', 'America/New_York')).toBe('2026-07-04 09:30 UTC-4');
    expect(formatLocal('2026-12-04T13:30:00.000Z', 'Asia/Kolkata')).toBe('2026-12-04 19:00 UTC+5:30');
    expect(formatLocal('2026-12-04T13:30:00.000Z', 'UTC')).toBe('2026-12-04 13:30 UTC');
    expect(formatLocal('0050-06-01T12:00:00.000Z', 'UTC')).toBe('0050-06-01 12:00 UTC');
    expect(formatAgo('2026-12-02T09:00:00.000Z', berlin.now)).toBe('2 days ago');
    expect(formatAgo('2026-12-03T08:00:00.000Z', berlin.now)).toBe('yesterday');
    expect(formatAgo('2026-12-04T08:59:30.000Z', berlin.now)).toBe('just now');
    expect(formatAgo('2026-12-04T06:00:00.000Z', berlin.now)).toBe('3 hours ago');
    expect(formatAgo('2026-12-07T09:00:00.000Z', berlin.now)).toBe('in 3 days');
  });

  it("reads the system zone as Intl reads the zone it names, across daylight saving's changes", () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York'; // Node makes Date read it from here on
    try {
      // Hourly over the days around both changes of 2026, and a few instants of other years.
      const around = (day: string) =>
        Array.from({ length: 72 }, (_, h) => Date.parse(`${day}T00:00:00.000Z`) + h * 3_600_000 + 17_000);
      const instants = [
        ...around('2026-03-07'),
        ...around('2026-10-31'),
        Date.parse('1999-12-31T23:59:59.999Z'),
        0,
        Date.parse('0050-06-01T12:00:00.000Z'),
      ];
      for (const ms of instants) {
        const iso = new Date(ms).toISOString();
        expect(formatLocal(iso, undefined)).toBe(formatLocal(iso, 'America/New_York'));
      }
      const ctx = { now: Date.parse('2026-03-08T12:00:00.000Z') };
      expect(parseWhen('2026-03-08 02:30', 'x', ctx)).toBe(
        parseWhen('2026-03-08 02:30', 'x', { ...ctx, timeZone: 'America/New_York' }),
      );
      expect(parseDay('today', 'x', ctx)).toBe('2026-03-08');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it("says how long ago in Intl.RelativeTimeFormat's English words", () => {
    const intl = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
    const now = Date.parse('2026-12-04T09:00:00.000Z');
    const units = [
      ['minute', 60_000],
      ['hour', 3_600_000],
      ['day', 86_400_000],
      ['week', 7 * 86_400_000],
      ['month', 30 * 86_400_000],
      ['year', 365 * 86_400_000],
    ] as const;
    for (const [unit, size] of units) {
      for (const n of [1, 2, 3, 5, 11, 1234]) {
        // Counts beyond the next unit's size are never chosen for the smaller unit (1234 years is).
        if (unit !== 'year' && n * size >= (units.find(([, s]) => s > size)?.[1] ?? Infinity)) continue;
        for (const sign of [-1, 1]) {
          const iso = new Date(now + sign * n * size).toISOString();
          expect(formatAgo(iso, now), `${sign * n} ${unit}`).toBe(intl.format(sign * n, unit));
        }
      }
    }
  });

  it('falls back to the system zone for a TZ that Intl does not know', () => {
    expect(timeZoneOf('Europe/Berlin')).toBe('Europe/Berlin');
    expect(timeZoneOf('CET-1')).toBeUndefined();
    expect(timeZoneOf(undefined)).toBeUndefined();
  });
});
