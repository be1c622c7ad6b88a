import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One benchmark figure, as `npm run bench -- --json` prints it: every figure is read against
 * a floor measured in the same run, never against an absolute target (this machine's pace
 * swings 2–3× from day to day).
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same work done the plainest way, or by a peer (Taskwarrior, Redmine), in the same run. */
  floor: number;
  /** What the floor is. */
  floor_name: string;
  /** value / floor: for times and memory lower is better, for rates (req/s) higher. */
  ratio: number;
}

/** A floor: a value measured in the same run, and what it is. */
export interface Floor {
  value: number;
  name: string;
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

/** The command line of run `i` (0 is the warm-up): a fixed one, or one that changes per run. */
export type Argv = readonly string[] | ((run: number) => readonly string[]);

/** Wall time of one process, stdout and stderr piped (as a script or another program reads them). */
export function processMs(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  return ms;
}

/** Wall time of a whole process, median of `runs` (after one warm-up run). */
export function processMedianMs(argv: Argv, options: { cwd: string; env?: NodeJS.ProcessEnv; runs?: number }): number {
  return processMediansMs([argv], options)[0]!;
}

/**
 * Wall times of several commands, run in turns (one of each, then again) so that a change in
 * the machine's load weighs on all alike: the median of `runs` each, after one warm-up round.
 */
export function processMediansMs(
  commands: readonly Argv[],
  options: {
    cwd: string | readonly string[];
    env?: NodeJS.ProcessEnv;
    runs?: number;
    /** Runs untimed after each command (the index given), e.g. to wait for work it left behind. */
    after?: (c: number, round: number) => void;
  },
): number[] {
  const runs = options.runs ?? 15;
  const times = commands.map((): number[] => []);
  for (let i = 0; i <= runs; i++) {
    commands.forEach((command, c) => {
      const argv = typeof command === 'function' ? command(i) : command;
      const cwd = typeof options.cwd === 'string' ? options.cwd : options.cwd[c]!;
      const ms = processMs(argv, { cwd, ...(options.env ? { env: options.env } : {}) });
      if (i > 0) times[c]!.push(ms);
      options.after?.(c, i);
    });
  }
  return times.map(median);
}

/** The background exports (`pm sync export --queued`) running in `dir`, found in /proc. */
export function backgroundExportPids(dir: string): number[] {
  const real = realpathSync(dir);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv.includes('--queued') && readlinkSync(`/proc/${name}/cwd`) === real) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

export function figure(name: string, value: number, unit: string, floor: Floor): Figure {
  const digits = unit === 'MB' || unit === 'MiB' || unit === 'ms' ? 1 : unit === 'req/s' || unit === 'µs' ? 0 : 2;
  return {
    name,
    value: round(value, digits),
    unit,
    floor: round(floor.value, digits),
    floor_name: floor.name,
    ratio: floor.value > 0 ? Number((value / floor.value).toPrecision(3)) : Number.NaN,
  };
}

/** A server started as a process of its own, once it prints `listening on URL` (killed if it does not). */
export async function startListening(argv: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(argv[0]!, argv.slice(1), { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
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
  throw new Error(`${argv.join(' ')} did not start: ${stderr}`);
}

/** `pm serve` in a repository, as a process of its own, like in production. */
export function startServer(repo: string, env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess }> {
  return startListening([process.execPath, PM_BIN, 'serve', '--port', '0'], {
    cwd: repo,
    env: { ...process.env, PM_ACTOR: 'bench@example.com', PM_LOG_LEVEL: 'warn', ...env },
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * What Node costs starting and exiting with nothing to run, median of `runs`: its CPU time
 * (user + system), the share of a one-process `pm` run that is Node's own, and its peak RSS.
 */
export function nodeIdle(runs = 9): { cpuMs: number; rssMb: number } {
  const script =
    "process.on('exit', () => { const u = process.resourceUsage(); process.stdout.write(JSON.stringify([(u.userCPUTime + u.systemCPUTime) / 1000, u.maxRSS / 1024])); })";
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node -e failed: ${r.stderr}`);
    const [c, m] = JSON.parse(r.stdout) as [number, number];
    cpu.push(c);
    rss.push(m);
  }
  return { cpuMs: median(cpu), rssMb: median(rss) };
}

let idle: { cpuMs: number; rssMb: number } | undefined;

/** The floor of every peak-RSS figure: Node's own peak RSS running nothing (measured once per run). */
export function nodeRssFloor(): Floor {
  idle ??= nodeIdle();
  return { value: idle.rssMb, name: 'node -e 0' };
}

/** Node's own start and exit: CPU time (measured once per run). */
export function nodeStartCpuMs(): number {
  idle ??= nodeIdle();
  return idle.cpuMs;
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
