// Builds the installed `pm`: one ESM bundle plus lazily loaded chunks, no TypeScript at run time.
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
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
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(new URL('../dist/pm.js', import.meta.url), 0o755);
