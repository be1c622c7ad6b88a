// Builds the installed `pm`: an entry point plus lazily loaded chunks (CommonJS, see toCommonJs), no TypeScript at run time.
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';
import { flattenBarrels } from './flatten-barrels.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * commander loads node:child_process (and with it Node's sockets) on start, only to run
 * executable subcommands, which pm has none of: here it loads it on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`${path} no longer has ${eager}: see lazyChildProcess`);
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * `import … from 'node:fs'` has Node build that module's ESM face, which reads every export:
 * `promises` and the stream classes among them load fs/promises, readline and the streams, a
 * few milliseconds of every run. pm's imports of node:fs take its functions from the module
 * itself instead; a getter (such as `promises`) is no export here, so importing one fails the build.
 */
const plainFs = {
  name: 'plain-fs',
  setup(builder) {
    builder.onResolve({ filter: /^(node:)?fs$/ }, ({ kind }) =>
      kind === 'import-statement' ? { path: 'node:fs', namespace: 'plain-fs' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'plain-fs' }, () => {
      const names = Object.entries(Object.getOwnPropertyDescriptors(nodeFs.default))
        // Functions and `constants`: the access-mode numbers (F_OK …) warn as deprecated on Node 24.
        .filter(([name, d]) => (typeof d.value === 'function' || name === 'constants') && /^[A-Za-z_$][\w$]*$/.test(name))
        .map(([name]) => name);
      const contents = `const fs = process.getBuiltinModule('node:fs');\nexport default fs;\nexport const { ${names.join(', ')} } = fs;\n`;
      return { contents, loader: 'js' };
    });
  },
};

const REQUIRE_BANNER =
  "import { createRequire as __pmCreateRequire } from 'node:module'; const require = __pmCreateRequire(import.meta.url);";

/**
 * Rewrites each file esbuild wrote (ES modules, the only format it splits into chunks) as
 * CommonJS: Node 20 keeps no compiled code of ES modules between runs, and compiling them was
 * most of a short command's time (src/cli/compile-cache.ts caches CommonJS). Dynamic imports
 * become requires run on demand, so chunks still load lazily. Debugging builds stay ES modules,
 * for their source maps.
 */
async function toCommonJs(files) {
  for (const file of files) {
    let source = readFileSync(file, 'utf8');
    const shebang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1) : '';
    source = source.slice(shebang.length).replace(REQUIRE_BANNER, '');
    const { code } = await transform(source, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__pmUrl' },
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    const url = source.includes('import.meta.url') ? 'var __pmUrl=require("node:url").pathToFileURL(__filename).href;' : '';
    writeFileSync(file, shebang + url + code);
  }
  writeFileSync(new URL('../dist/package.json', import.meta.url), '{ "type": "commonjs" }\n');
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const cli = await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  // The import's second thread is a script of its own (src/sync/snapshot/threaded-check.ts finds it).
  entryPoints: { pm: 'src/cli/bin.ts', 'check-worker': 'src/sync/snapshot/check-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Native or optional drivers stay in node_modules.
  external: ['better-sqlite3', 'better-sqlite3-napi', 'pg', 'pg-native', 'pg-copy-streams'],
  define: { __PM_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __pmCreateRequire } from 'node:module'; const require = __pmCreateRequire(import.meta.url);",
  },
  minify: process.env.PM_BUILD_DEBUG !== '1',
  // Maps only for debugging builds: the package ships minified code without them.
  sourcemap: process.env.PM_BUILD_DEBUG === '1' ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
  // Only src/sync's index: flattening the small ones too split their folders into more chunks,
  // each one more file to load, for no gain (measured on `pm item list`).
  plugins: [flattenBarrels(fileURLToPath(new URL('..', import.meta.url)), ['src/sync/index.ts']), lazyChildProcess, plainFs],
  // Which sources each chunk holds, for the test that keeps a plain command's start-up lean.
  metafile: true,
});
writeFileSync(new URL('../dist/build-meta.json', import.meta.url), JSON.stringify(cli.metafile));
if (process.env.PM_BUILD_DEBUG !== '1') {
  const root = fileURLToPath(new URL('..', import.meta.url));
  await toCommonJs(Object.keys(cli.metafile.outputs).map((file) => join(root, file)));
}
chmodSync(new URL('../dist/pm.js', import.meta.url), 0o755);
// `pm help TOPIC` reads these beside the chunks (src/cli/commands/help.ts).
cpSync(new URL('../src/cli/topics', import.meta.url), new URL('../dist/topics', import.meta.url), { recursive: true });

// The web UI `pm serve` answers at `/`: one script and one stylesheet for the browser, gzipped
// beside them (the server sends those to browsers that take gzip), and the page naming both.
const WEB_BUDGET_GZIP = 60 * 1024;
const webDir = new URL('../dist/web/', import.meta.url);
await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: { app: 'src/web/main.tsx' },
  outdir: 'dist/web',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { __PM_VERSION__: JSON.stringify(pkg.version) },
  minify: process.env.PM_BUILD_DEBUG !== '1',
  legalComments: 'none',
  logLevel: 'warning',
});
let gzipped = 0;
const stamp = {};
for (const name of ['app.js', 'app.css']) {
  const body = readFileSync(new URL(name, webDir));
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(new URL(`${name}.gz`, webDir), gz);
  gzipped += gz.length;
  stamp[name] = createHash('sha256').update(body).digest('hex').slice(0, 12);
}
writeFileSync(
  new URL('index.html', webDir),
  readFileSync(new URL('../src/web/index.html', import.meta.url), 'utf8')
    .replace('app.css', `app.css?v=${stamp['app.css']}`)
    .replace('app.js', `app.js?v=${stamp['app.js']}`),
);
if (gzipped > WEB_BUDGET_GZIP) {
  console.error(`dist/web: the page's JS+CSS is ${gzipped} bytes gzipped, over the budget of ${WEB_BUDGET_GZIP}`);
  process.exit(1);
}
