import { ValidationError } from './errors.js';

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const CANONICAL_TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

export function toTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The `updated_at` of a write: now, but always at least 1 ms after the record's previous
 * write, so a record's own history stays ordered when the clock steps back.
 */
export function nextTimestamp(previous: string | null | undefined, now: number): string {
  const floor = previous ? Date.parse(previous) + 1 : Number.NEGATIVE_INFINITY;
  return toTimestamp(Math.max(now, floor));
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, checked by character: imports check hundreds of thousands. */
export function isCanonicalTimestamp(value: string): boolean {
  if (value.length !== 24) return false;
  if (
    value[4] !== '-' ||
    value[7] !== '-' ||
    value[10] !== 'T' ||
    value[13] !== ':' ||
    value[16] !== ':' ||
    value[19] !== '.' ||
    value[23] !== 'Z'
  ) {
    return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60 && digits(value, 20, 3) >= 0;
}

/** Accepts UTC ISO-8601 with or without milliseconds; returns the canonical form or null. */
export function normalizeTimestamp(value: string): string | null {
  if (isCanonicalTimestamp(value)) return value;
  if (CANONICAL_TIMESTAMP_RE.test(value)) return null;
  // Date.parse takes February 30th for March 2nd: the day must exist.
  if (!TIMESTAMP_RE.test(value) || !isDate(value.slice(0, 10))) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : toTimestamp(ms);
}

export function isDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function today(now: number): string {
  return toTimestamp(now).slice(0, 10);
}

/** Where local times are read and shown: an IANA zone (`TZ`), or the system's when undefined. */
export interface TimeContext {
  now: number;
  timeZone?: string | undefined;
}

/** How long `1d` is in a duration of work: a working day, as time trackers count it. */
export const WORKING_DAY_SECONDS = 8 * 3600;
const CALENDAR_DAY_SECONDS = 24 * 3600;
const UNIT_RE = /(\d+(?:\.\d+)?)\s*(d|h|m|s)/y;

/** `2h30m`, `1.5h`, `1d 4h` in seconds, with `day` seconds to a day; undefined unless all of it is units. */
function unitSeconds(input: string, day: number): number | undefined {
  let seconds = 0;
  let at = 0;
  while (at < input.length) {
    UNIT_RE.lastIndex = at;
    const m = UNIT_RE.exec(input);
    if (!m) return undefined;
    const unit = { d: day, h: 3600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
    seconds += Number(m[1]) * unit;
    at = UNIT_RE.lastIndex;
    while (input[at] === ' ') at++;
  }
  return at > 0 ? seconds : undefined;
}

/**
 * Parses a duration of work into seconds: `1h30m`, `2h30m`, `45m`, `90m`, `90s`, `1.5h`,
 * `1d` (a working day, 8h), `1:30` (h:mm, minutes below 60) or plain minutes (`30`).
 */
export function parseDuration(text: string, field = 'duration'): number {
  const input = text.trim().toLowerCase();
  let seconds: number | undefined;
  if (/^\d+$/.test(input)) seconds = Number(input) * 60;
  else {
    const hms = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(input);
    if (hms) {
      const [minutes, secs] = [Number(hms[2]), Number(hms[3] ?? 0)];
      if (minutes < 60 && secs < 60) seconds = Number(hms[1]) * 3600 + minutes * 60 + secs;
    } else seconds = unitSeconds(input, WORKING_DAY_SECONDS);
  }
  if (seconds === undefined || !(seconds > 0)) {
    throw new ValidationError([
      {
        path: field,
        message: `expected a duration like 1h30m, 45m, 2h, 1d (8h) or 1:30 (minutes below 60), got ${JSON.stringify(text)}`,
      },
    ]);
  }
  return Math.round(seconds);
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h === 0 && m === 0) return `${seconds}s`;
  return h === 0 ? `${m}m` : m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, '0')}m`;
}

/**
 * Formatters per named zone, made on first use. The system's zone is read from Date instead: the
 * first Intl formatter of a process loads ICU's data, 20 to 30 ms, more than a short command's
 * own work (pm item show spent it on its dates).
 */
const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone to use for a `TZ` value: undefined (the system's) when Intl does not know it. */
export function timeZoneOf(tz: string | undefined): string | undefined {
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ms: number, timeZone: string | undefined): LocalParts {
  if (timeZone === undefined) {
    const d = new Date(ms);
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hour: d.getHours(),
      minute: d.getMinutes(),
      second: d.getSeconds(),
    };
  }
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts as unknown as LocalParts;
}

/** `p` read as UTC, in epoch ms (Date.UTC would take years 0 to 99 for 1900 to 1999). */
function wallTime(p: LocalParts, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, ms);
  return d.getTime();
}

/** How far a zone's clock, reading `p` at `ms`, is ahead of UTC. */
function offsetOf(p: LocalParts, ms: number): number {
  return wallTime(p) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** How far the zone's clock is ahead of UTC at `ms`. */
function zoneOffset(ms: number, timeZone: string | undefined): number {
  return offsetOf(localParts(ms, timeZone), ms);
}

const DAY_MS = 86_400_000;

/**
 * The instant a local wall-clock time stands for in the zone, as Temporal's `compatible` reads
 * it: a time a change of offset repeats is its earlier instant, one it skips moves on by the gap.
 * (Offsets change at most once within a day either side.)
 */
function fromLocal(p: LocalParts, ms: number, timeZone: string | undefined): number {
  const wall = wallTime(p, ms);
  const offsets = [zoneOffset(wall - DAY_MS, timeZone), zoneOffset(wall + DAY_MS, timeZone)];
  const instants = offsets.map((offset) => wall - offset).filter((at) => wall - zoneOffset(at, timeZone) === at);
  if (instants.length > 0) return Math.min(...instants);
  return wall - Math.min(...offsets);
}

function validDay(year: number, month: number, day: number): boolean {
  return isDate(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

const DAY_WORDS: Record<string, number> = { today: 0, yesterday: -1, tomorrow: 1 };
const ABSOLUTE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ t](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses when something happened, in the user's zone unless it says otherwise, into epoch ms:
 * `2026-12-04 14:30` and `2026-12-04` (local), `14:30` (today), `yesterday 9:00`, `today`,
 * `tomorrow` and `yesterday` (this time of day on that day), `now`, `2h ago`, `3d ago` (a
 * day is 24h here), and ISO 8601 with `Z` or an offset. Impossible dates and times (February
 * 30th, 25:00) are refused, naming `field`.
 */
export function parseWhen(text: string, field: string, ctx: TimeContext): number {
  const input = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const refuse = (why = '') => {
    const example = 'like 2026-12-04 14:30, 14:30, yesterday 9:00, 2h ago or 2026-12-04T13:30:00Z';
    return new ValidationError([{ path: field, message: `${why}expected a time ${example}, got ${JSON.stringify(text)}` }]);
  };
  if (input === 'now') return ctx.now;
  const ago = /^(.+) ago$/.exec(input);
  if (ago) {
    const seconds = unitSeconds(ago[1]!, CALENDAR_DAY_SECONDS);
    if (seconds === undefined) throw refuse();
    return ctx.now - Math.round(seconds * 1000);
  }
  const now = localParts(ctx.now, ctx.timeZone);
  const word = /^(today|yesterday|tomorrow)(?: (?:at )?(\d{1,2}):(\d{2}))?$/.exec(input);
  const clock = /^(\d{1,2}):(\d{2})$/.exec(input);
  if (word || clock) {
    const [hour, minute] = word ? [word[2], word[3]] : [clock![1], clock![2]];
    const day = new Date(Date.UTC(now.year, now.month - 1, now.day + (word ? DAY_WORDS[word[1]!]! : 0)));
    const at: LocalParts = {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      ...(hour === undefined
        ? { hour: now.hour, minute: now.minute, second: now.second }
        : { hour: Number(hour), minute: Number(minute), second: 0 }),
    };
    if (at.hour > 23 || at.minute > 59) throw refuse('no such time of day: ');
    return fromLocal(at, hour === undefined ? ctx.now % 1000 : 0, ctx.timeZone);
  }
  const m = ABSOLUTE_RE.exec(input);
  if (!m) throw refuse();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at: LocalParts = { year, month, day, hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0) };
  if (!validDay(year, month, day)) throw refuse(`no such date: `);
  if (at.hour > 23 || at.minute > 59 || at.second > 59) throw refuse('no such time of day: ');
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const zone = m[8];
  if (zone === undefined) return fromLocal(at, ms, ctx.timeZone);
  const wall = wallTime(at, ms);
  if (zone === 'z') return wall;
  const off = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  return wall - (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 3600_000 + Number(off[3]) * 60_000);
}

/** A day (`YYYY-MM-DD`) as people say it: `2026-12-04`, `today`, `tomorrow`, `yesterday` (in the user's zone). */
export function parseDay(text: string, field: string, ctx: TimeContext): string {
  const input = text.trim().toLowerCase();
  if (isDate(input)) return input;
  const offset = DAY_WORDS[input];
  if (offset === undefined) {
    throw new ValidationError([
      { path: field, message: `expected a date like 2026-12-04, today, tomorrow or yesterday, got ${JSON.stringify(text)}` },
    ]);
  }
  const now = localParts(ctx.now, ctx.timeZone);
  return new Date(Date.UTC(now.year, now.month - 1, now.day + offset)).toISOString().slice(0, 10);
}

const two = (n: number) => String(n).padStart(2, '0');

/** `UTC`, `UTC+1`, `UTC-5`, `UTC+5:30`: a zone by its offset, which needs no names from ICU. */
function offsetName(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000);
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  return `UTC${minutes < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${two(abs % 60)}` : ''}`;
}

/** `2026-12-04 14:30 UTC+1`: a timestamp in the user's zone, with its offset then. */
export function formatLocal(iso: string, timeZone: string | undefined): string {
  const ms = Date.parse(iso);
  const p = localParts(ms, timeZone);
  const year = String(p.year).padStart(4, '0');
  return `${year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)} ${offsetName(offsetOf(p, ms))}`;
}

type AgoUnit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute';
const AGO_UNITS: readonly (readonly [AgoUnit, number])[] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
/** What Intl.RelativeTimeFormat('en', { numeric: 'auto' }) says for one unit back and ahead. */
const ONE_AWAY: Partial<Record<AgoUnit, readonly [string, string]>> = {
  year: ['last year', 'next year'],
  month: ['last month', 'next month'],
  week: ['last week', 'next week'],
  day: ['yesterday', 'tomorrow'],
};

/**
 * `just now`, `5 minutes ago`, `yesterday`, `2 days ago`, `in 3 hours`: the words of
 * Intl.RelativeTimeFormat in English, written out because loading it costs as much as the
 * formatters above.
 */
export function formatAgo(iso: string, now: number): string {
  const diff = Date.parse(iso) - now;
  if (Math.abs(diff) < 60_000) return 'just now';
  const [unit, size] = AGO_UNITS.find(([, ms]) => Math.abs(diff) >= ms)!;
  const value = Math.trunc(diff / size);
  const oneAway = ONE_AWAY[unit];
  if (oneAway && Math.abs(value) === 1) return oneAway[value < 0 ? 0 : 1];
  const count = Math.abs(value);
  const words = `${String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} ${unit}${count === 1 ? '' : 's'}`;
  return value < 0 ? `${words} ago` : `in ${words}`;
}

const MIN_EVERY_SECONDS = 60;

/** The seconds a schedule's `every` duration stands for, or undefined when it is not one of at least a minute. */
export function everySeconds(text: string): number | undefined {
  try {
    const seconds = parseDuration(text, 'every');
    return seconds >= MIN_EVERY_SECONDS ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One end of a time range as a canonical timestamp: an ISO 8601 time, or a date meaning its
 * first (`start`) or last (`end`) millisecond in UTC; null when it is neither.
 */
export function rangeBound(value: string, side: 'start' | 'end'): string | null {
  if (isDate(value)) return side === 'start' ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
  const ms = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(ms) ? toTimestamp(ms) : null;
}
