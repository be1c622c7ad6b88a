import { execFileSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';

/** Runs git in `cwd` and returns its trimmed output; throws when git fails. */
export function git(cwd: string, args: readonly string[], input?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(input === undefined ? {} : { input }),
  }).trim();
}

/** The top of the work tree containing `cwd`, or undefined outside git. */
export function workTree(cwd: string): string | undefined {
  try {
    return git(cwd, ['rev-parse', '--show-toplevel']) || undefined;
  } catch {
    return undefined;
  }
}

/** The directory git runs hooks from: `core.hooksPath` if set, else the repository's hooks. */
export function hooksDir(root: string): string {
  const path = git(root, ['rev-parse', '--git-path', 'hooks']);
  return isAbsolute(path) ? path : resolve(root, path);
}
