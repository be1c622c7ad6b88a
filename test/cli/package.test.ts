import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the npm package', () => {
  it("builds dist/pm.js in a fresh clone through npm's prepare, and packs it with the licence and without source maps", () => {
    // A fresh clone: the sources, no dist/ (node_modules as npm install leaves it).
    const clone = tempDir('pm-pack-');
    for (const path of ['package.json', 'README.md', 'LICENSE', 'scripts', 'src', 'schema']) {
      cpSync(join(ROOT, path), join(clone, path), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false' };
    execFileSync('npm', ['run', 'prepare', '--silent'], { cwd: clone, env, stdio: 'pipe' });
    expect(execFileSync(process.execPath, [join(clone, 'dist/pm.js'), '--version'], { encoding: 'utf8' }).trim()).toMatch(
      /^\d+\.\d+\.\d+/,
    );

    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: clone, env, encoding: 'utf8' }),
    ) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toContain('dist/pm.js');
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(existsSync(join(clone, 'dist', 'pm.js.map'))).toBe(false);
  });
});
