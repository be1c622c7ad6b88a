import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** The parts of a CommonJS module the cache needs, which @types/node leaves out. */
interface CommonJsModule {
  exports: unknown;
  require(id: string): unknown;
  _compile: (this: CommonJsModule, content: string, filename: string, format?: string) => unknown;
}
interface ModuleClass {
  prototype: CommonJsModule;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: CommonJsModule, isMain: boolean, options?: unknown): string;
  _cache: unknown;
  enableCompileCache?: () => unknown;
}

/** Each cache file starts with the source's modification time and size: V8 itself checks only the length. */
const HEADER = 16;

/**
 * Keeps the compiled code of the files pm runs between runs: compiling them was most of a short
 * command's time. Node ≥ 22.1 does it itself. On Node 20 the built pm is CommonJS (see
 * scripts/build.mjs), whose compiling this takes over, as Node's cache does: in
 * NODE_COMPILE_CACHE or the temp folder, unless NODE_DISABLE_COMPILE_CACHE.
 */
export function enableCompileCache(): void {
  const Module = module as unknown as ModuleClass;
  if (Module.enableCompileCache) {
    Module.enableCompileCache();
    return;
  }
  // Under tsx (development) pm runs as ES modules, for which Node 20 has no cache.
  if (process.env.NODE_DISABLE_COMPILE_CACHE || typeof __filename === 'undefined') return;
  const folder = join(
    process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache'),
    `pm-${process.version}-${process.arch}-${process.getuid?.() ?? 0}`,
  );
  cacheCompiledFiles(Module, folder);
}

function cacheCompiledFiles(Module: ModuleClass, folder: string): void {
  const trusted = ownFolder(folder);
  const fresh: { script: Script; file: string; header: Buffer }[] = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (this: CommonJsModule, content: string, filename: string, format?: string) {
    // An ES module required from CommonJS (Node 20.19+) is Node's to load.
    if (format === 'module') return compile.call(this, content, filename, format);
    const file = join(folder, encodeURIComponent(filename));
    const header = headerOf(filename);
    const cachedData = trusted ? cachedCode(file, header) : undefined;
    let script: Script;
    try {
      script = new Script(Module.wrap(content), { filename, cachedData });
    } catch {
      // Not CommonJS after all (an ES module's syntax), or no JavaScript: Node decides and explains.
      return compile.call(this, content, filename, format);
    }
    if (cachedData === undefined || script.cachedDataRejected) fresh.push({ script, file, header });
    const require = Object.assign((id: string) => this.require(id), {
      resolve: (request: string, options?: unknown) => Module._resolveFilename(request, this, false, options),
      cache: Module._cache,
    });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  // Written at exit so that the code holds the functions this run compiled, not only the top level.
  process.once('exit', () => {
    if (fresh.length === 0) return;
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      if (!ownFolder(folder)) return;
      for (const { script, file, header } of fresh) {
        const partial = `${file}.${process.pid}`;
        writeFileSync(partial, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
        renameSync(partial, file);
      }
    } catch {
      // A cache that cannot be written costs the next run time, never its result.
    }
  });
}

/** A folder someone else owns could hand pm code to run: it is neither read nor written. */
function ownFolder(folder: string): boolean {
  try {
    const { uid } = statSync(folder);
    return process.getuid === undefined || uid === process.getuid();
  } catch {
    return false;
  }
}

function headerOf(filename: string): Buffer {
  const { mtimeMs, size } = statSync(filename);
  const header = Buffer.alloc(HEADER);
  header.writeDoubleLE(mtimeMs, 0);
  header.writeDoubleLE(size, 8);
  return header;
}

/** The cached code for a source whose file still has `header`'s time and size, if any. */
function cachedCode(file: string, header: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  return bytes.subarray(0, HEADER).equals(header) ? bytes.subarray(HEADER) : undefined;
}
