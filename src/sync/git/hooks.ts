import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hooksDir } from './git.js';

/** The hooks pm installs: export before a commit, take in after anything that changes the snapshot. */
export const PM_HOOKS = ['pre-commit', 'post-merge', 'post-checkout', 'post-rewrite'] as const;
export type PmHook = (typeof PM_HOOKS)[number];

const MARKER = '# pm-hook: installed by `pm hooks install`';
/** Where a hook that was already there goes while pm's runs in front of it. */
export const CHAINED_SUFFIX = '.pre-pm';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The hook script: first the hook that was there before (its exit status counts), then pm —
 * found on the PATH, else where it was when the hook was installed, else nothing at all.
 */
export function hookScript(hook: PmHook, fallbackCommand: string): string {
  return `#!/bin/sh
${MARKER}; \`pm hooks uninstall\` puts back what was here.
# It runs the hook that was here before (${hook}${CHAINED_SUFFIX}), then pm; without pm it does nothing.
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/${hook}${CHAINED_SUFFIX}" ]; then
  "$hook_dir/${hook}${CHAINED_SUFFIX}" "$@" || exit $?
fi
if command -v pm >/dev/null 2>&1; then
  exec pm hooks run ${hook} "$@"
elif [ -x ${shellQuote(fallbackCommand)} ]; then
  exec ${shellQuote(fallbackCommand)} hooks run ${hook} "$@"
fi
exit 0
`;
}

export function isPmHook(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(MARKER);
  } catch {
    return false;
  }
}

/** Whether pm's hook of that name is where git runs it. */
export function pmHookInstalled(root: string, hook: PmHook): boolean {
  return isPmHook(join(hooksDir(root), hook));
}

export interface HookChange {
  hook: PmHook;
  path: string;
  action: 'installed' | 'chained' | 'updated' | 'removed' | 'restored' | 'absent';
}

/** Installs pm's hooks where git runs them, keeping any hook that is there as the first link. */
export function installHooks(root: string, fallbackCommand: string): HookChange[] {
  const dir = hooksDir(root);
  mkdirSync(dir, { recursive: true });
  return PM_HOOKS.map((hook) => {
    const path = join(dir, hook);
    let action: HookChange['action'] = 'installed';
    if (isPmHook(path)) action = 'updated';
    else if (existsSync(path)) {
      if (existsSync(path + CHAINED_SUFFIX)) throw new Error(`${path}${CHAINED_SUFFIX} already exists; move it away first`);
      renameSync(path, path + CHAINED_SUFFIX);
      action = 'chained';
    }
    writeFileSync(path, hookScript(hook, fallbackCommand));
    chmodSync(path, 0o755);
    return { hook, path, action };
  });
}

/** Removes pm's hooks and puts back exactly what was there (the file, its mode, its content). */
export function uninstallHooks(root: string): HookChange[] {
  const dir = hooksDir(root);
  return PM_HOOKS.map((hook) => {
    const path = join(dir, hook);
    if (!isPmHook(path)) return { hook, path, action: 'absent' as const };
    rmSync(path);
    if (existsSync(path + CHAINED_SUFFIX)) {
      const mode = statSync(path + CHAINED_SUFFIX).mode;
      renameSync(path + CHAINED_SUFFIX, path);
      chmodSync(path, mode);
      return { hook, path, action: 'restored' as const };
    }
    return { hook, path, action: 'removed' as const };
  });
}
