#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { VERSION } from '../version.js';

// A reader that goes away early (`pm item list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

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

// `pm --version` answers before anything else is loaded.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main, processIo } = await import('./main.js');
  process.exitCode = await main(argv, processIo());
}
