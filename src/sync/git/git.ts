import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Runs git in `cwd` and returns its trimmed output; throws when git fails. */
export function git(cwd: string, args: readonly string[], input?: string): string {
  // Loaded on first use, not with the module: commands that run no git do not pay for it.
  return process
    .getBuiltinModule('node:child_process')
    .execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(input === undefined ? {} : { input }),
    })
    .trim();
}

/** The top of the work tree containing `cwd`, or undefined outside git. */
export function workTree(cwd: string): string | undefined {
  if (!mayBeInRepository(cwd)) return undefined;
  try {
    return git(cwd, ['rev-parse', '--show-toplevel']) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * False when git certainly finds no repository from `cwd`: no `.git` there nor in any folder
 * above, and no GIT_DIR naming one. Asking git itself starts a process (milliseconds).
 */
function mayBeInRepository(cwd: string): boolean {
  if (process.env.GIT_DIR) return true;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/** The directory git runs hooks from: `core.hooksPath` if set, else the repository's hooks. */
export function hooksDir(root: string): string {
  const path = git(root, ['rev-parse', '--git-path', 'hooks']);
  return isAbsolute(path) ? path : resolve(root, path);
}

/**
 * The rule that keeps an untracked `file` out of git (`.gitignore:2: *.json`), or undefined
 * when git would add it. A tracked file is never ignored.
 */
export function ignoredBy(root: string, file: string): string | undefined {
  let out: string;
  try {
    out = git(root, ['check-ignore', '--verbose', '--', file]);
  } catch {
    return undefined; // exit 1: not ignored
  }
  const match = /^(.*):(\d+):(.*)\t/.exec(out);
  if (!match || match[3]!.startsWith('!')) return undefined;
  return `${relative(root, resolve(root, match[1]!)) || match[1]}:${match[2]}: ${match[3]}`;
}
