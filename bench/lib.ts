import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** One benchmark figure, as `npm run bench -- --json` prints it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same work done the plainest way, measured in the same run. */
  floor?: number;
  /** value / floor. */
  ratio?: number;
  /** What the issue asks for, to read the figure against. */
  target?: string;
}

export const PM_BIN = resolve(import.meta.dirname, '../dist/pm.js');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Wall time of a whole process, median of `runs` (after one warm-up run). */
export function processMedianMs(
  argv: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; runs?: number },
): number {
  const runs = options.runs ?? 15;
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.toString()}`);
    if (i > 0) times.push(ms);
  }
  return median(times);
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

export function figure(name: string, value: number, unit: string, extra: Omit<Figure, 'name' | 'value' | 'unit'> = {}): Figure {
  const digits = unit === 'MB' || unit === 'ms' ? 1 : 2;
  const f: Figure = { name, value: round(value, digits), unit, ...extra };
  if (f.floor !== undefined) f.floor = round(f.floor, digits);
  if (f.floor !== undefined && f.floor > 0) f.ratio = round(f.value / f.floor, 2);
  return f;
}
