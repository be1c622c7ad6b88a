import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { DEFAULT_LANES } from '../src/domain/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/chromium.js';
import { PM_BIN, figure, median, startServer, stopServer, type Figure } from './lib.js';
import { insertWorkItems, workItems } from './redmine.bench.js';

const RUNS = 9;
const WEB = resolve(import.meta.dirname, '../dist/web');

/** What the functions run in the page use (this file is type-checked without the DOM). */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number }; getElementById(id: string): { innerHTML: string } };
  requestAnimationFrame(callback: () => void): void;
  performance: { now(): number };
}

/** True once `count` cards are on the page (run in the page: the page's policy allows no eval). */
const cardsShown = (count: number) => (globalThis as unknown as PageGlobals).document.querySelectorAll('.card').length >= count;
const paintedAt = () =>
  new Promise<number>((done) => {
    const page = globalThis as unknown as PageGlobals;
    page.requestAnimationFrame(() => done(page.performance.now()));
  });

/**
 * Milliseconds from the start of navigation until `count` cards are on the page and the frame
 * that shows them is painted, in a fresh context (no cache).
 */
async function firstPaint(browser: Browser, url: string, count: number): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(cardsShown, count, { polling: 'raf', timeout: 60_000 });
    return await page.evaluate(paintedAt);
  } finally {
    await context.close();
  }
}

/** Medians of RUNS first paints of each page, taken in turns (after a warm-up of each) so drift hits both alike. */
async function inTurns(browser: Browser, urls: readonly string[], count: number): Promise<number[]> {
  const times = urls.map(() => [] as number[]);
  for (let i = 0; i <= RUNS; i++) {
    for (const [n, url] of urls.entries()) {
      const ms = await firstPaint(browser, url, count);
      if (i > 0) times[n]!.push(ms);
    }
  }
  return times.map(median);
}

/** A static page: the board's own markup and stylesheet, as the browser would get it without any script. */
function staticServer(html: string): Promise<Server> {
  const css = readFileSync(join(WEB, 'app.css'));
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/app.css')) response.writeHead(200, { 'content-type': 'text/css' }).end(css);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/**
 * The web UI (issue 17): first paint of the board with `count` items in one project (its lanes
 * evenly filled) served by `pm serve`, against the floor of a static page holding the same
 * markup (taken from the rendered board) and stylesheet, painted by the same browser. Also the
 * page's script and stylesheet gzipped. Skipped without Debian's chromium.
 */
export async function webBench(repo: string, count: number): Promise<Figure[]> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`web: skipped, no browser at ${CHROMIUM} (apt-get install chromium)\n`);
    return [];
  }
  const env = { ...process.env, PM_ACTOR: 'bench@example.com' };
  const pm = (args: string[]) => {
    const r = spawnSync(process.execPath, [PM_BIN, ...args], { cwd: repo, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pm ${args.join(' ')}: ${r.stderr}`);
  };
  mkdirSync(repo, { recursive: true });
  pm(['init']);
  pm(['project', 'add', 'WEB', 'Website relaunch']);
  const lanes = DEFAULT_LANES.map((l) => l.status_value);
  await insertWorkItems(join(repo, '.pm', 'data.db'), 'WEB', (projectId) =>
    workItems(projectId, count).map((item, i) => ({ ...item, status: lanes[i % lanes.length]! })),
  );
  pm(['sync', 'export']);

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const { url, child } = await startServer(repo);
  let floorServer: Server | undefined;
  try {
    // The floor's markup is the board's own, as rendered.
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${url}/#/board?project=WEB&sprint=all`);
    await page.waitForFunction(cardsShown, count, { timeout: 60_000 });
    const markup = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.getElementById('app').innerHTML);
    await context.close();
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pm</title><link rel="stylesheet" href="/app.css"></head><body><div id="app">${markup}</div></body></html>`;
    floorServer = await staticServer(html);
    const floorUrl = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}/`;
    const [board, floor] = (await inTurns(browser, [`${url}/#/board?project=WEB&sprint=all`, floorUrl], count)) as [
      number,
      number,
    ];
    const gzipped = ['app.js', 'app.css'].reduce((n, f) => n + gzipSync(readFileSync(join(WEB, f)), { level: 9 }).length, 0);
    return [
      figure(`web: board first paint, ${count.toLocaleString('en')} items`, board, 'ms', {
        value: floor,
        name: 'a static page of the same markup, same browser',
      }),
      figure("web: the page's JS+CSS, gzipped", gzipped / 1024, 'KB', { value: 60, name: 'the budget the build enforces' }),
    ];
  } finally {
    floorServer?.close();
    await stopServer(child);
    await browser.close();
  }
}
