import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { main } from '../../src/cli/index.js';
import { tempDir } from './temp.js';

export const PM_BIN = resolve(import.meta.dirname, '../../dist/pm.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  json<T = unknown>(): T;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
}

function result(code: number, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`not JSON (exit ${code}): ${stdout}\n${stderr}`);
      }
    },
  };
}

/** The test environment: a fixed actor and no colour, plus what the test adds. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PM_ACTOR: 'tester@example.com',
    NO_COLOR: '1',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs pm in this process (fast); same code path as the binary minus process start-up. */
export async function pm(args: readonly string[], options: CliOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd: options.cwd,
    env: testEnv(options.env),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    isTTY: false,
    columns: undefined,
  });
  return result(code, stdout, stderr);
}

/** Runs the built `dist/pm.js` (or a copy of it, `bin`) as a real process. */
export function pmProcess(args: readonly string[], options: CliOptions & { stdin?: string; bin?: string }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.bin ?? PM_BIN, ...args], { cwd: options.cwd, env: testEnv(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(result(code ?? -1, stdout, stderr)));
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

/** A `pm` bound to one working directory, failing loudly when a command that should work does not. */
export function boundPm(cwd: string, env: Record<string, string | undefined> = {}) {
  const run = (args: readonly string[], more: Record<string, string | undefined> = {}) =>
    pm(args, { cwd, env: { ...env, ...more } });
  const ok = async (args: readonly string[], more: Record<string, string | undefined> = {}) => {
    const r = await run(args, more);
    if (r.code !== 0) throw new Error(`pm ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r;
  };
  return { run, ok, json: async <T = unknown>(args: readonly string[]) => (await ok([...args, '--json'])).json<T>() };
}

/** A git repository with pm initialized and one project, WEB: where most CLI tests start. */
export async function webRepo(): Promise<{ dir: string; cli: ReturnType<typeof boundPm> }> {
  const dir = tempDir();
  execFileSync('git', ['init', '-q', dir]);
  const cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
  return { dir, cli };
}
