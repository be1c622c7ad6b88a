import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM_BIN } from '../helpers/cli.js';

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
});
