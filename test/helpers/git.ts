import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PM_BIN, pm, type CliResult } from './cli.js';
import { tempDir } from './temp.js';

/**
 * A team on real git: a bare "remote" and clones of it, each with pm set up, its hooks
 * installed and its own person. `pm` is on the PATH (a shim to the built binary), so the hooks
 * and the merge driver call it as they would on a developer's machine.
 */
/** A conflict as `pm conflicts --json` lists it. */
export interface ConflictView {
  entity_type: string;
  record_id: string;
  field: string;
  ours_value: unknown;
  theirs_value: unknown;
  reason: string;
}

export interface Team {
  root: string;
  remote: string;
  env: NodeJS.ProcessEnv;
  /** A clone of the remote (or of another repository: a clone's directory, to see what it committed). */
  clone(name: string, from?: string): Clone;
}

export interface Clone {
  name: string;
  dir: string;
  actor: string;
  git(...args: string[]): string;
  /** git with stdout and stderr together (what a person sees). */
  gitAll(...args: string[]): string;
  /** pm in this clone as this person; throws when it fails. */
  pm(...args: string[]): Promise<CliResult>;
  /** pm --json, parsed. */
  json<T = unknown>(...args: string[]): Promise<T>;
  /** pm without throwing: for commands expected to fail or warn. */
  run(...args: string[]): Promise<CliResult>;
  snapshot(): string;
  /** The database as a canonical snapshot (`pm sync export -o -`): what this clone holds. */
  database(): Promise<string>;
}

export function createTeam(): Team {
  const root = tempDir('pm-git-');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'pm'), `#!/bin/sh\nexec "${process.execPath}" "${PM_BIN}" "$@"\n`);
  chmodSync(join(bin, 'pm'), 0o755);
  const home = join(root, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
  };
  const remote = join(root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env });

  return {
    root,
    remote,
    env,
    clone(name, from = remote) {
      const dir = join(root, name);
      execFileSync('git', ['clone', '-q', from, dir], { env, stdio: 'ignore' });
      const actor = `${name}@example.com`;
      const run = (...args: string[]) => {
        try {
          return execFileSync('git', args, {
            cwd: dir,
            env: { ...env, PM_ACTOR: actor },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }).trim();
        } catch (error) {
          const e = error as { stdout?: string; stderr?: string };
          throw new Error(`[${name}] git ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
        }
      };
      run('config', 'user.email', actor);
      run('config', 'user.name', name);
      if (from === remote) run('checkout', '-q', '-B', 'main');
      const pmHere = (args: readonly string[]) => pm(args, { cwd: dir, env: { ...env, PM_ACTOR: actor } });
      const clone: Clone = {
        name,
        dir,
        actor,
        git: run,
        gitAll: (...args: string[]) =>
          execFileSync('sh', ['-c', 'git "$@" 2>&1', 'git', ...args], {
            cwd: dir,
            env: { ...env, PM_ACTOR: actor },
            encoding: 'utf8',
          }).trim(),
        async pm(...args) {
          const r = await pmHere(args);
          if (r.code !== 0) throw new Error(`[${name}] pm ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
          return r;
        },
        async json<T>(...args: string[]) {
          return (await clone.pm(...args, '--json')).json<T>();
        },
        run: (...args: string[]) => pmHere(args),
        snapshot: () => readFileSync(join(dir, '.pm', 'data.json'), 'utf8'),
        database: async () => (await clone.pm('sync', 'export', '-o', '-')).stdout,
      };
      return clone;
    },
  };
}

/** Sets up pm in a clone (init, hooks) the way a developer would. */
export async function setUp(clone: Clone, options: { hooks?: boolean } = {}): Promise<void> {
  await clone.pm('init', ...(options.hooks === false ? [] : ['--hooks']));
}

/** Turns `auto_export` in the clone's `.pm/config.toml` on or off. */
export function setAutoExport(clone: Clone, on: boolean): void {
  const config = join(clone.dir, '.pm', 'config.toml');
  const text = readFileSync(config, 'utf8').replace(/^auto_export = (true|false)$/m, `auto_export = ${on}`);
  if (!text.includes(`auto_export = ${on}`)) throw new Error(`no auto_export line in ${config}`);
  writeFileSync(config, text);
}

export function commitAll(clone: Clone, message: string): void {
  clone.git('add', '-A');
  clone.git('commit', '-q', '-m', message);
}

/**
 * What someone who clones this clone's last commit gets: a fresh clone of it, its database
 * taken in from the committed data.json. Its database must be the clone's.
 */
export async function freshCloneOf(team: Team, clone: Clone, name = `${clone.name}-fresh`): Promise<Clone> {
  const fresh = team.clone(name, clone.dir);
  await fresh.pm('item', 'list', '--all');
  return fresh;
}
