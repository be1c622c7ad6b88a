/**
 * Debian's Chromium (`apt-get install chromium`), never a browser Playwright downloads, and how
 * the tests and the benchmarks start it (headless, no sandbox, no network of its own).
 */
export const CHROMIUM = process.env.PM_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
