// The parser itself, not domain/index.js: that would bring the schemas (zod) into the page.
import { parseDuration as parseDomainDuration } from '../domain/time.js';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "3 minutes ago", "in 12 minutes". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  for (const [unit, ms] of UNITS)
    if (Math.abs(diff) >= ms || unit === 'second') return relative.format(Math.round(diff / ms), unit);
  return '';
}

export function when(iso: string | null | undefined): string {
  return iso ? absolute.format(new Date(iso)) : '—';
}

/** 5400 → "1h 30m". */
export function hours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h === 0 && m === 0) return `${seconds}s`;
  return h === 0 ? `${m}m` : `${h}h${m ? ` ${m}m` : ''}`;
}

/** 1234 ms → "1.2 s". */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

/** A duration as the CLI reads it (`1h30m`, `90m`, `1:30`, `1d` = 8h) in seconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  try {
    return parseDomainDuration(text);
  } catch {
    return undefined;
  }
}

export const shortId = (id: string | null | undefined) => (id ? id.slice(-12) : '—');

/** A stored value as text: '—' for none, JSON for objects. */
export function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "1 record", "6 records". */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
