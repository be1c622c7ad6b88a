import { describe, expect, test } from 'vitest';
import type { WorkItemView } from '../../src/tracker/index.js';
import { createToken } from '../../src/server/index.js';
import { openBrowser, screenshot } from '../helpers/browser.js';
import { boundPm } from '../helpers/cli.js';
import { serveWorkspace } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

describe('a server that needs a token', () => {
  test('the page asks for one, refuses a wrong one, and works with a right one, attributed to it', async () => {
    const cwd = tempDir();
    const cli = boundPm(cwd);
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    await cli.ok(['item', 'add', '--type', 'task', 'Behind a token', '--status', 'todo']);
    const server = await serveWorkspace(cwd, { settings: { requireToken: true } });
    const { secret } = await createToken(server.store, { name: 'ana', scope: 'write', actor: 'admin', clock: Date.now });
    const { page } = await openBrowser();
    const unauthorized: string[] = [];
    page.on('response', (r) => r.status() === 401 && unauthorized.push(new URL(r.url()).pathname));

    // The page itself loads without a token; the data does not.
    const response = await page.goto(server.url);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    const form = page.getByRole('button', { name: 'Sign in' });
    await form.waitFor();
    expect(unauthorized).toContain('/api/v1/projects');
    expect(await page.locator('.card').count()).toBe(0);

    await page.getByLabel('Token').fill('pm_not-a-real-token-at-all-000000000000000000');
    await form.click();
    await page.getByRole('alert').getByText('the token is not valid').waitFor();
    await screenshot(page, 'login');

    await page.getByLabel('Token').fill(secret);
    await form.click();
    await page.locator('.card[data-key="WEB-1"]').waitFor();
    await page.locator('.live[data-state="live"]').waitFor();
    // The token is sent as a header, never in a URL.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.url()} ${r.headers().authorization ?? 'none'}`));
    await page.locator('.card[data-key="WEB-1"]').focus();
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/move')), page.keyboard.press('Alt+ArrowRight')]);
    expect(requests.some((r) => r.endsWith(`/move Bearer ${secret}`))).toBe(true);
    expect(requests.every((r) => !r.split(' ')[0]!.includes(secret))).toBe(true);
    const moved = (await server.api.get<WorkItemView>('/work_items/WEB-1', { token: secret })).body;
    expect(moved).toMatchObject({ status: 'in_progress', updated_by: 'ana' });

    // The tab keeps the token across a reload; signing out forgets it.
    await page.reload();
    await page.locator('.card[data-key="WEB-1"]').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await form.waitFor();
    await page.reload();
    await form.waitFor();
  });
});
