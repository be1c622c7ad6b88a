import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM_BIN, pmProcess, webRepo } from '../helpers/cli.js';

const CHUNKS = join(dirname(PM_BIN), 'chunks');

/** The chunk a dynamic import of `name` (main, item, sqlite-store, …) loads. */
function chunkOf(name: string): string {
  const file = readdirSync(CHUNKS).find((f) => new RegExp(`^${name}-[A-Z0-9]+\\.js$`).test(f));
  if (!file) throw new Error(`no chunk for ${name} in ${CHUNKS}`);
  return join(CHUNKS, file);
}

/** Every chunk those load with them (their static imports, transitively). */
function loadedWith(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"(\.\/[^"]+\.js)"/g))
      visit(join(dirname(file), m[1]!));
  };
  roots.forEach(visit);
  return [...seen];
}

/** esbuild's account of the build: the sources each output file holds. */
const META = JSON.parse(readFileSync(join(dirname(PM_BIN), 'build-meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};

/** The source files bundled into a chunk. */
function sourcesOf(chunk: string): string[] {
  const output = META.outputs[relative(resolve(dirname(PM_BIN), '..'), chunk)];
  if (!output) throw new Error(`no build record of ${chunk}`);
  return Object.keys(output.inputs);
}

describe('the built pm', () => {
  it('loads neither the sync engine, the connectors nor an HTTP client for a plain item list', () => {
    const chunks = loadedWith([chunkOf('main'), chunkOf('item'), chunkOf('sqlite-store')]);
    const sources = chunks.flatMap(sourcesOf);
    expect(sources).toContain('src/tracker/local-tracker.ts');
    expect(sources.filter((s) => /^src\/sync\/(engine|connectors)\//.test(s))).toEqual([]);
    expect(chunks.filter((c) => /from\s*"node:https?"/.test(readFileSync(c, 'utf8')))).toEqual([]);
  });

  it('loads neither the snapshot import and export code nor crypto, child processes, readline or tty for a plain item list', () => {
    const chunks = loadedWith([chunkOf('main'), chunkOf('item'), chunkOf('sqlite-store')]);
    const sources = chunks.flatMap(sourcesOf);
    expect(sources).toContain('src/sync/snapshot/tracked.ts');
    expect(sources.filter((s) => /^src\/sync\/(snapshot\/(import|export|workspace-files)|merge\/)/.test(s))).toEqual([]);
    expect(sources).not.toContain('src/cli/git-setup.ts');
    const builtins = /from\s*"node:(child_process|crypto|readline|readline\/promises|tty|fs\/promises)"/;
    expect(chunks.filter((c) => builtins.test(readFileSync(c, 'utf8')))).toEqual([]);
  });

  it('builds no record schema for a plain item list, only the schemas it validates with', async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    // zod hands every schema it builds to this hook: the fields of each object schema are kept.
    const watch = `const built = [];
globalThis.__zod_globalConfig = { postProcessor: (s) => { if (s._zod.def.type === 'object') built.push(Object.keys(s._zod.def.shape)); } };
process.on('exit', () => process.stderr.write('object schemas: ' + JSON.stringify(built) + '\\n'));`;
    const hook = `--import=data:text/javascript,${encodeURIComponent(watch)}`;
    const run = await pmProcess(['item', 'list'], { cwd: dir, env: { NODE_OPTIONS: hook } });
    expect(run.stdout).toContain('First');
    const built = JSON.parse(/object schemas: (.*)/.exec(run.stderr)![1]!) as string[][];
    expect(built.some((fields) => fields.includes('project') && fields.includes('sort'))).toBe(true); // the query's
    expect(built.filter((fields) => fields.includes('field_updated_at'))).toEqual([]); // no record's
  });
});
