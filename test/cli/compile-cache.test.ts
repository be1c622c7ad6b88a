import { cpSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM_BIN, pmProcess, webRepo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** A copy of the built pm that a test may change, with its own compile cache folder. */
function builtCopy(): { bin: string; cache: string } {
  const dir = tempDir();
  cpSync(dirname(PM_BIN), join(dir, 'dist'), { recursive: true });
  symlinkSync(resolve(dirname(PM_BIN), '..', 'node_modules'), join(dir, 'node_modules'));
  return { bin: join(dir, 'dist', 'pm.js'), cache: join(dir, 'cache') };
}

/** The chunk of a built copy whose code holds `text`. */
function chunkHolding(bin: string, text: string): string {
  const chunks = join(dirname(bin), 'chunks');
  const holder = readdirSync(chunks).find((f) => readFileSync(join(chunks, f), 'utf8').includes(text));
  if (!holder) throw new Error(`no chunk of ${bin} holds ${text}`);
  return join(chunks, holder);
}

/** Every file under `dir`, depth first. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Each file under `dir` with the time it was last written. */
function writtenAt(dir: string): Record<string, number> {
  return Object.fromEntries(filesUnder(dir).map((file) => [file, statSync(file).mtimeMs]));
}

describe("the built pm's compile cache", () => {
  it('keeps the compiled code of the modules a command loaded, and runs from it the next time', async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    const { bin, cache } = builtCopy();
    const env = { NODE_COMPILE_CACHE: cache };

    const first = await pmProcess(['item', 'list'], { cwd: dir, env, bin });
    expect(first.code).toBe(0);
    const cached = writtenAt(cache);
    expect(Object.keys(cached).length).toBeGreaterThan(5);

    const second = await pmProcess(['item', 'list'], { cwd: dir, env, bin });
    expect(second.stdout).toBe(first.stdout);
    // Nothing was compiled again, so nothing was written again.
    expect(writtenAt(cache)).toEqual(cached);
  });

  it('compiles a file changed since it was cached again, even when its size is the same', async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    const { bin, cache } = builtCopy();
    const env = { NODE_COMPILE_CACHE: cache };
    expect((await pmProcess(['item', 'list'], { cwd: dir, env, bin })).stdout).toContain('ASSIGNEE');

    const file = chunkHolding(bin, '"ASSIGNEE"');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"ASSIGNEE"', '"ASSIGNED"'));

    const after = await pmProcess(['item', 'list'], { cwd: dir, env, bin });
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('ASSIGNED');
  });

  it('leaves an ES module that a chunk requires to Node', async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    const { bin, cache } = builtCopy();
    const holder = chunkHolding(bin, '"ASSIGNEE"');
    writeFileSync(join(dirname(holder), 'probe.mjs'), "export const probe = 'an ES module';\n");
    writeFileSync(holder, `require('./probe.mjs');\n${readFileSync(holder, 'utf8')}`);

    for (let run = 0; run < 2; run++) {
      const list = await pmProcess(['item', 'list'], { cwd: dir, env: { NODE_COMPILE_CACHE: cache }, bin });
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain('First');
    }
  });

  it('runs without a cache when NODE_DISABLE_COMPILE_CACHE is set', async () => {
    const { dir } = await webRepo();
    const { bin, cache } = builtCopy();
    const run = await pmProcess(['item', 'list'], {
      cwd: dir,
      env: { NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '1' },
      bin,
    });
    expect(run.code).toBe(0);
    expect(() => filesUnder(cache)).toThrow(/ENOENT/);
  });
});
