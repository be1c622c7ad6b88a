#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import module from 'node:module';
import { VERSION } from '../version.js';
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

// Node ≥ 22.1 keeps the compiled code of pm's modules between runs (in the temp folder, or
// NODE_COMPILE_CACHE); compiling them was most of a short command's time. Node 20 has no cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `pm --version` answers before anything else is loaded.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === '-V')) {
  fdWriter(1).write(`${VERSION}\n`);
} else {
  const { main, processIo } = await import('./main.js');
  process.exitCode = await main(argv, processIo());
}
