import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { WorkItemView } from '../../src/tracker/index.js';
import { openBrowser, drag, screenshot } from '../helpers/browser.js';
import { boundPm, pmProcess } from '../helpers/cli.js';
import { serveWorkspace } from '../helpers/server.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

/** The board in real Chromium against `pm serve` on a repository made with the CLI. */

async function repository(dialect: (typeof DIALECTS)[number]) {
  const cwd = tempDir();
  const database = dialect === 'postgres' ? postgresUrl() : undefined;
  const env = database ? { PM_DATABASE_URL: database } : {};
  const cli = boundPm(cwd, env);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website relaunch']);
  await cli.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14', '--status', 'active']);
  const items: [string, string, string[]][] = [
    ['story', 'Checkout', ['--status', 'todo', '--points', '5', '--priority', 'high']],
    ['task', 'Card form', ['--status', 'todo', '--parent', 'WEB-1', '--assignee', 'ana@example.com']],
    ['task', 'Receipts by email', ['--status', 'todo']],
    ['task', 'Address lookup', ['--status', 'in_progress', '--assignee', 'bo@example.com', '--priority', 'critical']],
    ['task', 'Price rounding', ['--status', 'review']],
    ['task', 'Landing page', ['--status', 'done']],
  ];
  for (const [type, title, more] of items) await cli.ok(['item', 'add', '--type', type, title, '--sprint', 'Sprint 1', ...more]);
  const server = await serveWorkspace(cwd, database ? { database } : {});
  return { cwd, env, cli, server };
}

const card = (key: string) => `.card[data-key="${key}"]`;
const lane = (status: string) => `ol.cards[data-status="${status}"]`;
const keysIn = async (page: Page, status: string) =>
  Promise.all((await page.locator(`${lane(status)} > .card`).all()).map((c) => c.getAttribute('data-key')));

describe.each(DIALECTS)('the board on %s', (dialect) => {
  test('dragging a card to another lane moves the item in the database, between the cards it was dropped on', async () => {
    const { server } = await repository(dialect);
    const { page } = await openBrowser();
    await page.goto(server.url);
    await page.locator(card('WEB-3')).waitFor();
    expect(await keysIn(page, 'todo')).toEqual(['WEB-1', 'WEB-2', 'WEB-3']);
    await screenshot(page, 'board');

    const moved = page.waitForResponse((r) => r.url().endsWith('/move') && r.status() === 200);
    await drag(page, card('WEB-3'), card('WEB-4'), 0.2);
    await moved;
    expect(await keysIn(page, 'in_progress')).toEqual(['WEB-3', 'WEB-4']);
    const item = (await server.api.get<WorkItemView>('/work_items/WEB-3')).body;
    expect(item.status).toBe('in_progress');
    const inProgress = (await server.api.get<{ columns: { lane: { status_value: string }; items: WorkItemView[] }[] }>('/board'))
      .body;
    expect(inProgress.columns.find((c) => c.lane.status_value === 'in_progress')!.items.map((i) => i.key)).toEqual([
      'WEB-3',
      'WEB-4',
    ]);

    // Within a lane, to the top.
    const reordered = page.waitForResponse((r) => r.url().endsWith('/move') && r.status() === 200);
    await drag(page, card('WEB-2'), card('WEB-1'), 0.1);
    await reordered;
    expect(await keysIn(page, 'todo')).toEqual(['WEB-2', 'WEB-1']);
    await page.reload();
    await page.locator(card('WEB-2')).waitFor();
    expect(await keysIn(page, 'todo')).toEqual(['WEB-2', 'WEB-1']);
  });

  test('a card moves with the keyboard: Alt+arrows between and within lanes', async () => {
    const { server } = await repository(dialect);
    const { page } = await openBrowser();
    await page.goto(server.url);
    await page.locator(card('WEB-1')).focus();
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/move')), page.keyboard.press('Alt+ArrowRight')]);
    expect((await server.api.get<WorkItemView>('/work_items/WEB-1')).body.status).toBe('in_progress');
    await expect.poll(() => keysIn(page, 'in_progress')).toEqual(['WEB-4', 'WEB-1']);
    // Focus stays on the moved card, so it can go on moving.
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/move')), page.keyboard.press('Alt+ArrowUp')]);
    await expect.poll(() => keysIn(page, 'in_progress')).toEqual(['WEB-1', 'WEB-4']);
    expect(await page.locator('[aria-live="assertive"]').textContent()).toBe('Moved WEB-1 to In progress');
  });

  test('a move from a stale card answers 409: the newer record is shown, and the move is applied only when asked', async () => {
    const { server, cwd, env } = await repository(dialect);
    const { page } = await openBrowser();
    // No live feed in this tab: its cards go stale, as in a tab that lost its connection.
    await page.route('**/api/v1/events', (route) => route.abort());
    await page.goto(server.url);
    await page.locator(card('WEB-3')).waitFor();
    // Someone else, in another process, changes the item.
    const other = await pmProcess(['item', 'edit', 'WEB-3', '--title', 'Receipts by email and SMS', '--priority', 'high'], {
      cwd,
      env,
    });
    expect(other.code).toBe(0);

    const refused = page.waitForResponse((r) => r.url().endsWith('/move') && r.status() === 409);
    // A synthetic drag now and then starts no move in Chromium (none is sent): it is dragged again.
    let moveSent = false;
    page.on('request', (r) => (moveSent ||= r.url().endsWith('/move')));
    await expect
      .poll(
        async () => {
          if (!moveSent) await drag(page, card('WEB-3'), lane('review'), 0.9);
          return moveSent;
        },
        {
          interval: 2000,
          timeout: 15_000,
        },
      )
      .toBe(true);
    await refused;
    const dialog = page.getByRole('dialog', { name: 'WEB-3 changed while you moved it' });
    await dialog.waitFor();
    await expect
      .poll(() => dialog.locator('tr.changed').allTextContents())
      .toEqual(['TitleReceipts by emailReceipts by email and SMS', 'Prioritymediumhigh']);
    await screenshot(page, 'board-conflict');
    // Nothing was moved behind the user's back, and the card went back.
    expect((await server.api.get<WorkItemView>('/work_items/WEB-3')).body.status).toBe('todo');
    await expect.poll(() => keysIn(page, 'todo')).toContain('WEB-3');

    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/move') && r.status() === 200),
      dialog.getByRole('button', { name: 'Move it anyway' }).click(),
    ]);
    const item = (await server.api.get<WorkItemView>('/work_items/WEB-3')).body;
    expect(item).toMatchObject({ status: 'review', title: 'Receipts by email and SMS', priority: 'high' });
    await expect.poll(() => keysIn(page, 'review')).toEqual(['WEB-5', 'WEB-3']);
  });

  test('changes made elsewhere (the CLI in another process) appear without a reload', async () => {
    const { server, cwd, env } = await repository(dialect);
    const { page } = await openBrowser();
    await page.goto(server.url);
    await page.locator('.live[data-state="live"]').waitFor();
    await page.locator(card('WEB-1')).waitFor();
    const added = await pmProcess(
      ['item', 'add', '--type', 'task', 'Made in a terminal', '--status', 'review', '--sprint', 'Sprint 1'],
      {
        cwd,
        env,
      },
    );
    expect(added.code).toBe(0);
    await expect.poll(() => keysIn(page, 'review'), { timeout: 10_000 }).toEqual(['WEB-5', 'WEB-7']);
    expect(await pmProcess(['item', 'move', 'WEB-1', 'done'], { cwd, env })).toMatchObject({ code: 0 });
    await expect.poll(() => keysIn(page, 'done'), { timeout: 10_000 }).toEqual(['WEB-6', 'WEB-1']);
  });
});
