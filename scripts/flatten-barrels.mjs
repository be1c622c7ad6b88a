// An esbuild plugin for the `pm` bundle: an import through one of the given folders' index.ts
// (the only way the code crosses folders) is rewritten to import each name from the file that
// defines it.
//
// Why: esbuild splits code into chunks by file, and every file an imported file imports
// (re-exports included) lands in the importer's chunks. `pm item list` needs two functions of
// src/sync, yet importing them through src/sync/index.ts loaded the sync engine, every connector
// and Node's HTTP client too, on every command. Names the plugin cannot place keep coming
// through the index, so a miss costs speed, never correctness.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SPECIFIERS = /^\s*(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/;
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2\s*;?/g;
const RE_EXPORT = /export\s*(type\s+)?\{([^}]*)\}\s*from\s*(['"])([^'"]+)\3/g;
const STAR = /export\s*\*\s*from\s*(['"])([^'"]+)\1/g;
const LOCAL_LIST = /export\s*(type\s+)?\{([^}]*)\}(?!\s*from)/g;
const DECLARATION =
  /export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\s*\*?|class|const|let|var|enum)\s+([\w$]+)/g;

/** A relative `./x.js` import as the TypeScript file it names, or undefined if not a relative one. */
function sourceFile(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  return resolve(dirname(from), specifier).replace(/\.js$/, '.ts');
}

const isIndex = (file) => file.endsWith('/index.ts');

function specifiers(list) {
  return list
    .split(',')
    .map((s) => SPECIFIERS.exec(s.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    .filter((m) => m !== null)
    .map((m) => ({ type: Boolean(m[1]), name: m[2], alias: m[3] ?? m[2] }));
}

/** Exported name → [defining file, its name there] for what `file` exports (values only). */
function exportsOf(file, cache, visiting = new Set()) {
  const known = cache.get(file);
  if (known) return known;
  const map = new Map();
  if (visiting.has(file)) return map;
  visiting.add(file);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return map;
  }
  for (const m of text.matchAll(RE_EXPORT)) {
    if (m[1]) continue;
    const target = sourceFile(file, m[4]);
    if (!target) continue;
    const inner = isIndex(target) ? exportsOf(target, cache, visiting) : undefined;
    for (const s of specifiers(m[2])) {
      if (s.type) continue;
      map.set(s.alias, inner?.get(s.name) ?? (isIndex(target) ? [file, s.alias] : [target, s.name]));
    }
  }
  for (const m of text.matchAll(STAR)) {
    const target = sourceFile(file, m[2]);
    if (!target) continue;
    for (const [name, origin] of exportsOf(target, cache, visiting)) if (!map.has(name)) map.set(name, origin);
  }
  if (!isIndex(file)) {
    for (const m of text.matchAll(DECLARATION)) map.set(m[1], [file, m[1]]);
    for (const m of text.matchAll(LOCAL_LIST))
      if (!m[1]) for (const s of specifiers(m[2])) if (!s.type) map.set(s.alias, [file, s.alias]);
  }
  cache.set(file, map);
  return map;
}

function importPath(from, file) {
  const path = relative(dirname(from), file).replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

/** `source` (the text of `file`) with its imports through the `flattened` index.ts files made direct. */
export function flattenImports(file, source, flattened, cache = new Map()) {
  return source.replace(IMPORT, (statement, list, _quote, specifier) => {
    const target = sourceFile(file, specifier);
    if (!target || !flattened.has(target)) return statement;
    const values = specifiers(list).filter((s) => !s.type);
    if (values.length === 0) return statement;
    const exported = exportsOf(target, cache);
    const direct = new Map();
    const rest = [];
    for (const s of values) {
      const origin = exported.get(s.name);
      if (!origin || origin[0] === target) {
        rest.push(s.name === s.alias ? s.name : `${s.name} as ${s.alias}`);
        continue;
      }
      const names = direct.get(origin[0]) ?? [];
      names.push(origin[1] === s.alias ? s.alias : `${origin[1]} as ${s.alias}`);
      direct.set(origin[0], names);
    }
    const statements = [...direct].map(([from, names]) => `import { ${names.join(', ')} } from '${importPath(file, from)}';`);
    if (rest.length > 0) statements.push(`import { ${rest.join(', ')} } from '${specifier}';`);
    return statements.join(' ');
  });
}

/** The plugin, for these index.ts files (paths from `root`). */
export function flattenBarrels(root, barrels) {
  const cache = new Map();
  const src = join(root, 'src');
  const flattened = new Set(barrels.map((b) => join(root, b)));
  return {
    name: 'flatten-barrels',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(src)) return undefined;
        return { contents: flattenImports(args.path, readFileSync(args.path, 'utf8'), flattened, cache), loader: 'ts' };
      });
    },
  };
}
