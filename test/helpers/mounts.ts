import { execFileSync } from 'node:child_process';
import { afterAll } from 'vitest';
import { tempDir } from './temp.js';

const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted.splice(0).reverse()) execFileSync('umount', ['-l', dir]);
});

/** Why tmpfs mounts cannot be made here, or undefined when they can (root with mount rights, as in CI). */
export const cannotMount: string | undefined = (() => {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs (CI runs as root)';
  try {
    tmpfs('64k');
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${(error as Error).message.split('\n')[0]}`;
  }
})();

/** A fresh tmpfs of `size` (e.g. `2m`), unmounted when the test file finishes. */
export function tmpfs(size: string): string {
  const dir = tempDir('pm-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.push(dir);
  return dir;
}

/** Makes a mount read-only, or writable again. */
export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
}
