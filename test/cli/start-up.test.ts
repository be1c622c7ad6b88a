import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM_BIN, boundPm, pmProcess, testEnv, webRepo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const CHUNKS = join(dirname(PM_BIN), 'chunks');

/** The chunk a dynamic import of `name` (main, item, read-store, …) loads. */
function chunkOf(name: string): string {
  const file = readdirSync(CHUNKS).find((f) => new RegExp(`^${name}-[A-Z0-9]+\\.js$`).test(f));
  if (!file) throw new Error(`no chunk for ${name} in ${CHUNKS}`);
  return join(CHUNKS, file);
}

/** esbuild's account of the build: the sources each output file holds and what it imports. */
const ROOT = resolve(dirname(PM_BIN), '..');
const META = JSON.parse(readFileSync(join(dirname(PM_BIN), 'build-meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; kind: string; external?: boolean }[] }>;
};

function outputOf(chunk: string) {
  const output = META.outputs[relative(ROOT, chunk)];
  if (!output) throw new Error(`no build record of ${chunk}`);
  return output;
}

/** What a chunk loads as soon as it loads (not on demand): Node's modules and other chunks. */
function staticImports(chunk: string): { path: string; external?: boolean }[] {
  return outputOf(chunk).imports.filter((i) => i.kind === 'import-statement');
}

/** Every chunk those load with them (their static imports, transitively). */
function loadedWith(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of staticImports(file)) if (!i.external) visit(join(ROOT, i.path));
  };
  roots.forEach(visit);
  return [...seen];
}

/** The source files bundled into a chunk. */
function sourcesOf(chunk: string): string[] {
  return Object.keys(outputOf(chunk).inputs);
}

/** Whether a chunk loads one of Node's modules matching `name` as soon as it loads. */
function loadsBuiltin(chunk: string, name: RegExp): boolean {
  return staticImports(chunk).some((i) => i.external && name.test(i.path));
}

/** Turns `auto_export` off in the workspace at `dir`. */
function autoExportOff(dir: string): void {
  const config = join(dir, '.pm', 'config.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^auto_export = true$/m, 'auto_export = false'));
}

/** Runs the built pm with a `git` first on PATH that logs each call, and returns the calls. */
async function gitCallsOf(args: readonly string[], cwd: string): Promise<string[]> {
  const bin = tempDir();
  const log = join(bin, 'calls');
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, 'git'), 0o755);
  const run = await pmProcess(args, { cwd, env: { PATH: `${bin}:${process.env.PATH}` } });
  expect(run.code).toBe(0);
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

describe('the built pm', () => {
  it('loads neither the sync engine, the connectors nor an HTTP client for a plain item list', () => {
    const chunks = loadedWith([chunkOf('main'), chunkOf('item'), chunkOf('read-store')]);
    const sources = chunks.flatMap(sourcesOf);
    expect(sources).toContain('src/tracker/local-tracker.ts');
    expect(sources.filter((s) => /^src\/sync\/(engine|connectors)\//.test(s))).toEqual([]);
    expect(chunks.filter((c) => loadsBuiltin(c, /^node:https?$/))).toEqual([]);
  });

  it('loads neither the snapshot import and export code nor crypto, child processes, readline or tty for a plain item list', () => {
    const chunks = loadedWith([chunkOf('main'), chunkOf('item'), chunkOf('read-store')]);
    const sources = chunks.flatMap(sourcesOf);
    expect(sources).toContain('src/sync/snapshot/tracked.ts');
    expect(sources.filter((s) => /^src\/sync\/(snapshot\/(import|export|workspace-files)|merge\/)/.test(s))).toEqual([]);
    expect(sources).not.toContain('src/cli/git-setup.ts');
    const builtins = /^node:(child_process|crypto|readline|readline\/promises|tty|fs\/promises)$/;
    expect(chunks.filter((c) => loadsBuiltin(c, builtins))).toEqual([]);
  });

  it('loads neither Kysely nor the migrations for a plain item list', () => {
    const sources = loadedWith([chunkOf('main'), chunkOf('item'), chunkOf('read-store')]).flatMap(sourcesOf);
    expect(sources).toContain('src/store/sqlite/read-store.ts');
    expect(sources.filter((s) => s.includes('node_modules/kysely/'))).toEqual([]);
    expect(sources.filter((s) => /^src\/store\/(kysely-store|migrator|migrations\/0)/.test(s))).toEqual([]);
  });

  it('loads no Kysely to show an item, its board or what is ready', async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    await cli.ok(['item', 'add', '--type', 'task', 'Second']);
    await cli.ok(['dep', 'add', 'WEB-1', 'blocks', 'WEB-2']);
    // The files the run required, as Node's module cache holds them when it exits.
    const watch = `process.on('exit', () => process.getBuiltinModule('node:fs').writeSync(2, 'required: ' + JSON.stringify(Object.keys(process.getBuiltinModule('node:module')._cache)) + '\\n'));`;
    const env = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(watch)}` };
    for (const args of [['item', 'show', 'WEB-2'], ['board'], ['ready']]) {
      const run = await pmProcess(args, { cwd: dir, env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(args[0] === 'ready' ? 'WEB-1' : 'WEB-2');
      const required = JSON.parse(/required: (.*)/.exec(run.stderr)![1]!) as string[];
      expect(required.some((file) => /read-store-/.test(file))).toBe(true);
      expect(required.filter((file) => /sqlite-store-|kysely/.test(file))).toEqual([]);
    }
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

  it('runs no git for a plain item list with auto_export off once data.json is marked unexported', async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['hooks', 'install']);
    autoExportOff(dir);
    await cli.ok(['item', 'add', '--type', 'task', 'First']); // marks .pm/data.json
    expect(readFileSync(join(dir, '.pm', 'data.json'), 'utf8').endsWith('\n\n')).toBe(true);
    expect(await gitCallsOf(['item', 'list'], dir)).toEqual([]);
  });

  it('runs no git for a plain item list with auto_export off outside a git repository', async () => {
    const dir = tempDir();
    const cli = boundPm(dir);
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    autoExportOff(dir);
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    expect(await gitCallsOf(['item', 'list'], dir)).toEqual([]);
  });

  it("loads neither Node's streams, sockets nor tty for a plain item list whose output is thrown away", async () => {
    const { dir, cli } = await webRepo();
    await cli.ok(['item', 'add', '--type', 'task', 'First']);
    // Node's own modules this run loaded, as Node lists them when it exits.
    // (Written to the descriptor: process.stderr is a socket, which would load them.)
    const watch = `process.on('exit', () => process.getBuiltinModule('node:fs').writeSync(2, 'loaded: ' + JSON.stringify(process.moduleLoadList) + '\\n'));`;
    const devNull = openSync('/dev/null', 'w');
    const run = spawnSync(process.execPath, [PM_BIN, 'item', 'list'], {
      cwd: dir,
      env: testEnv({ NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(watch)}` }),
      stdio: ['ignore', devNull, 'pipe'],
      encoding: 'utf8',
    });
    closeSync(devNull);
    expect(run.status).toBe(0);
    const loaded = JSON.parse(/loaded: (.*)/.exec(run.stderr)![1]!) as string[];
    expect(loaded).toContain('NativeModule fs');
    const heavy = ['stream', 'net', 'tty', 'internal/streams/readable'].map((m) => `NativeModule ${m}`);
    expect(loaded.filter((m) => heavy.includes(m))).toEqual([]);
  });
});
