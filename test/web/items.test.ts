import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { ItemDetails, WorkItemView } from '../../src/tracker/index.js';
import { openBrowser, screenshot } from '../helpers/browser.js';
import { boundPm, pmProcess } from '../helpers/cli.js';
import { serveWorkspace } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

/** Creating, reading and editing an item in real Chromium (SQLite; the board tests cover both dialects). */

async function repository() {
  const cwd = tempDir();
  const cli = boundPm(cwd);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website relaunch']);
  await cli.ok(['sprint', 'add', 'Sprint 1', '--start', '2026-12-01', '--end', '2026-12-14', '--status', 'active']);
  await cli.ok(['item', 'add', '--type', 'story', 'Checkout', '--status', 'todo', '--sprint', 'Sprint 1']);
  await cli.ok(['item', 'add', '--type', 'task', 'Payment provider contract', '--status', 'todo']);
  const server = await serveWorkspace(cwd);
  return { cwd, cli, server };
}

const field = (page: Page, name: string) => page.locator(`form [name="${name}"]`);

describe('items in the web UI', () => {
  test('an item is created from the form and opens with what was entered', async () => {
    const { server } = await repository();
    const { page } = await openBrowser();
    await page.goto(`${server.url}/#/new?project=WEB&status=in_progress`);
    await field(page, 'title').fill('Card form');
    await field(page, 'item_type').selectOption('task');
    await field(page, 'priority').selectOption('high');
    await field(page, 'parent').fill('WEB-1');
    await field(page, 'sprint').selectOption({ label: 'Sprint 1' });
    await field(page, 'story_points').fill('3');
    await field(page, 'description').fill('Hosted card fields.\nNo card data on our servers.');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/#\/items\/WEB-3$/);
    await page.getByRole('heading', { name: 'WEB-3 Card form' }).waitFor();
    const item = (await server.api.get<WorkItemView>('/work_items/WEB-3')).body;
    expect(item).toMatchObject({
      title: 'Card form',
      item_type: 'task',
      status: 'in_progress',
      priority: 'high',
      story_points: 3,
      description: 'Hosted card fields.\nNo card data on our servers.',
    });
    const details = (await server.api.get<ItemDetails>('/work_items/WEB-3/details')).body;
    expect(details).toMatchObject({ parent: { key: 'WEB-1' }, sprint: { name: 'Sprint 1' } });
  });

  test('comments, dependencies and time are added from the item page', async () => {
    const { server } = await repository();
    const { page } = await openBrowser();
    await page.goto(`${server.url}/#/items/WEB-1`);
    await page.getByLabel('Add a comment').fill('Use hosted card fields');
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.locator('.comment').getByText('Use hosted card fields').waitFor();

    await page.getByLabel('Dependency kind').selectOption('blocked_by');
    await page.getByLabel('Other item').fill('WEB-2');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('link', { name: 'WEB-2' }).waitFor();

    await page.getByLabel('Duration').fill('1h30m');
    await page.getByLabel('What was done').fill('spike');
    await page.getByRole('button', { name: 'Log time' }).click();
    await page.getByRole('heading', { name: 'Time · 1h 30m' }).waitFor();
    await screenshot(page, 'item', { fullPage: true });

    const details = (await server.api.get<ItemDetails>('/work_items/WEB-1/details')).body;
    expect(details.comments.map((c) => c.content)).toEqual(['Use hosted card fields']);
    expect(details.blocked_by.map((d) => d.blocking_key)).toEqual(['WEB-2']);
    expect(details.total_seconds).toBe(5400);
    // Blocked now: the ready queue offers WEB-2 only.
    await page.goto(`${server.url}/#/ready`);
    await page.locator('table.list tbody tr').first().waitFor();
    expect(await page.locator('table.list tbody tr td:first-child').allTextContents()).toEqual(['WEB-2']);
  });

  test('a save after someone else saved shows both versions; "save mine" keeps their other fields', async () => {
    const { server, cwd } = await repository();
    const { page } = await openBrowser();
    await page.route('**/api/v1/events', (route) => route.abort());
    await page.goto(`${server.url}/#/items/WEB-1`);
    await field(page, 'title').fill('Checkout, one page');
    await field(page, 'description').fill('Everything on one page.');
    // Meanwhile, in another process, someone else edits the title and the priority.
    expect((await pmProcess(['item', 'edit', 'WEB-1', '--title', 'Checkout v2', '--priority', 'critical'], { cwd })).code).toBe(
      0,
    );

    await page.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog', { name: 'WEB-1 was changed by someone else' });
    await dialog.waitFor();
    expect(await dialog.locator('tr.both').allTextContents()).toEqual(['TitleCheckoutCheckout, one pageCheckout v2']);
    expect(await dialog.locator('tbody th').allTextContents()).toEqual(['Title', 'Description', 'Priority']);
    await screenshot(page, 'item-conflict');
    // Nothing of the user's was saved yet, and the draft is still in the form.
    expect((await server.api.get<WorkItemView>('/work_items/WEB-1')).body.description).toBeNull();
    await dialog.getByRole('button', { name: 'Keep editing' }).click();
    expect(await field(page, 'title').inputValue()).toBe('Checkout, one page');

    await page.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('button', { name: 'Save my changes over theirs' }).click();
    await page.getByRole('heading', { name: 'WEB-1 Checkout, one page' }).waitFor();
    const item = (await server.api.get<WorkItemView>('/work_items/WEB-1')).body;
    expect(item).toMatchObject({ title: 'Checkout, one page', description: 'Everything on one page.', priority: 'critical' });
  });
});
