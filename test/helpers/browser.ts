import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';
import { tempDir } from './temp.js';

const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** A fresh headless Chromium (its own profile folder), closed when the test file finishes. */
export async function openBrowser(
  options: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(tempDir('pm-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1360, height: options.height ?? 860 },
    colorScheme: 'light',
  });
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  return { context, page };
}

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

/**
 * A screenshot of what the test shows: into docs/screenshots (the README's pictures) when
 * PM_SCREENSHOTS=1, else into a scratch folder, so a test run leaves the checkout as it was.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const dir = process.env.PM_SCREENSHOTS === '1' ? SCREENSHOTS : tempDir('pm-shots-');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, ...options });
  return path;
}

/**
 * Drags one element onto another with the mouse, in steps, as a person does (SortableJS
 * follows pointer events); `where` is the fraction of the target's height to drop at.
 */
export async function drag(page: Page, from: string, to: string, where = 0.5): Promise<void> {
  const source = (await page.locator(from).boundingBox())!;
  const target = (await page.locator(to).boundingBox())!;
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 8, source.y + source.height / 2 + 8, { steps: 4 });
  const x = target.x + target.width / 2;
  const y = target.y + target.height * where;
  await page.mouse.move(x, y, { steps: 12 });
  await page.mouse.move(x, y + 1, { steps: 2 });
  await page.mouse.up();
}
