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
  if (!TIMESTAMP_RE.test(value)) return null;
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

const DURATION_PART_RE = /(\d+(?:\.\d+)?)\s*(h|m|s)/gy;

/** Parses `1h30m`, `45m`, `2h`, `90s`, `1.5h` or plain minutes (`30`) into seconds. */
export function parseDuration(text: string, field = 'duration'): number {
  const input = text.trim().toLowerCase();
  if (/^\d+$/.test(input)) return Number(input) * 60;
  const hms = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(input);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3] ?? 0);
  let seconds = 0;
  let consumed = 0;
  DURATION_PART_RE.lastIndex = 0;
  for (let m = DURATION_PART_RE.exec(input); m; m = DURATION_PART_RE.exec(input)) {
    const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
    seconds += Number(m[1]) * unit;
    consumed = DURATION_PART_RE.lastIndex;
    while (input[consumed] === ' ') consumed++;
    DURATION_PART_RE.lastIndex = consumed;
  }
  if (consumed !== input.length || input.length === 0 || seconds <= 0) {
    throw new ValidationError([
      { path: field, message: `expected a duration like 1h30m, 45m, 2h or 1:30, got ${JSON.stringify(text)}` },
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
