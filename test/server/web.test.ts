import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { testApp } from '../helpers/server.js';

const WEB = resolve(import.meta.dirname, '../../dist/web');
/** What the page loads: its script and its stylesheet (built by npm run build). */
const BUDGET_GZIP = 60 * 1024;

describe('the web UI at /', () => {
  test("the page's script and stylesheet together stay within 60 KB gzipped", () => {
    const page = readFileSync(resolve(WEB, 'index.html'), 'utf8');
    const assets = [...page.matchAll(/(?:src|href)="\/ui\/([^"?]+)/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual(['app.css', 'app.js']);
    const gzipped = assets.reduce((n, name) => n + gzipSync(readFileSync(resolve(WEB, name)), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIP);
  });

  test('is served without a token, with a policy that lets it load only its own files; the API still needs one', async () => {
    const app = await testApp('sqlite', { settings: { requireToken: true } });
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    const html = await page.text();
    const script = /src="(\/ui\/app\.js\?v=[0-9a-f]+)"/.exec(html)![1]!;

    const js = await fetch(`${app.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    const body = Buffer.from(await js.arrayBuffer());
    // fetch inflates it; the bytes are the built file.
    expect(
      body.equals(readFileSync(resolve(WEB, 'app.js'))) || gunzipSync(body).equals(readFileSync(resolve(WEB, 'app.js'))),
    ).toBe(true);
    const etag = js.headers.get('etag')!;
    expect((await fetch(`${app.url}${script}`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    expect((await fetch(`${app.url}/ui/nope.js`)).status).toBe(404);
    expect((await fetch(`${app.url}/ui/..%2Fpm.js`)).status).toBe(404);
    expect((await app.api.get('/projects')).status).toBe(401);
  });

  test('is left out when the server is told there is no UI', async () => {
    const app = await testApp('sqlite', { deps: { webRoot: false } });
    const answer = await fetch(`${app.url}/`);
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
