import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** The source files bundled into a chunk, from its source map. */
function sourcesOf(chunk: string): string[] {
  const map = JSON.parse(readFileSync(`${chunk}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((s) => s.replace(/^(\.\.\/)+/, ''));
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
