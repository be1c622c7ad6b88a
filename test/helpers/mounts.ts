import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
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

/** Writes into `dir` until its file system has no space left; returns the file to remove to free it. */
export function fill(dir: string): string {
  const file = join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=64k'], { stdio: 'pipe' });
  } catch {
    // dd stops with "No space left on device": the point.
  }
  return file;
}
