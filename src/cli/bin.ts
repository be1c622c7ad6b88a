#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { VERSION } from '../version.js';
import { enableCompileCache } from './compile-cache.js';
import { fdWriter } from './output/fd-writer.js';

// Diagnostics: PM_RUSAGE_FILE=path records peak memory and CPU time when pm exits.
if (process.env.PM_RUSAGE_FILE) {
  const file = process.env.PM_RUSAGE_FILE;
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ max_rss_kb: usage.maxRSS, user_ms: usage.userCPUTime / 1000, system_ms: usage.systemCPUTime / 1000 }),
    );
  });
}

enableCompileCache();

// `pm --version` answers before anything else is loaded.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === '-V')) {
  fdWriter(1).write(`${VERSION}\n`);
} else {
  // No top-level await: the built pm is CommonJS (scripts/build.mjs).
  void import('./main.js').then(async ({ main, processIo }) => {
    process.exitCode = await main(argv, processIo());
  });
}
