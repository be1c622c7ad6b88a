import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** `pm serve` in a repository, as a process of its own, like in production. */
export async function startServer(repo: string, env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [PM_BIN, 'serve', '--port', '0'], {
    cwd: repo,
    env: { ...process.env, PM_ACTOR: 'bench@example.com', PM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 3000; i++) {
    const url = /listening on (\S+)/.exec(stdout)?.[1];
    if (url) return { url, child };
    if (child.exitCode !== null) break;
    await sleep(10);
  }
  child.kill('SIGKILL');
  throw new Error(`pm serve did not start: ${stderr}`);
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * CPU time (user + system) of Node starting and exiting with nothing to run, median of `runs`:
 * the share of a one-process `pm` run that is Node's own, not pm's.
 */
export function nodeStartCpuMs(runs = 9): number {
  const script =
    "process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000)); })";
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node -e failed: ${r.stderr}`);
    times.push(Number(r.stdout));
  }
  return median(times);
}

let clockTicks: number | undefined;

/** CPU time (user + system, all threads) a running process has used so far, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}
