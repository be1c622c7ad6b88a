import { PROJECT_KEY_RE } from './records.js';

/**
 * Display keys (`WEB-42`) are the project key and the item's number. Two clones can mint
 * the same number offline; after a merge the earlier-created item keeps it and the others
 * are renumbered past the project's highest number (see `planRenumbering`). The replica
 * that knew an item under its old key keeps that key as an alias.
 */

const ITEM_KEY_RE = /^([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})$/;

export function formatItemKey(projectKey: string, itemNumber: number): string {
  return `${projectKey}-${itemNumber}`;
}

export function parseItemKey(ref: string): { projectKey: string; itemNumber: number } | null {
  const m = ITEM_KEY_RE.exec(ref.trim());
  if (!m) return null;
  return { projectKey: m[1]!.toUpperCase(), itemNumber: Number(m[2]) };
}

export function normalizeProjectKey(key: string): string {
  return key.trim().toUpperCase();
}

export function isProjectKey(key: string): boolean {
  return PROJECT_KEY_RE.test(key);
}

export interface NumberedItem {
  id: string;
  project_id: string;
  item_number: number;
  created_at: string;
}

export interface Renumbering {
  id: string;
  project_id: string;
  from: number;
  to: number;
}

/** Earlier creation keeps a contested number; ties go to the smaller id, so every replica agrees. */
export function firstCreated<T extends { id: string; created_at: string }>(a: T, b: T): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The renumberings that make each (project, number) unique, given the items that share
 * numbers and each project's highest number (taken from the items when not given). Pure and
 * deterministic: the same items give the same plan.
 */
export function planRenumbering(items: Iterable<NumberedItem>, highest?: ReadonlyMap<string, number>): Renumbering[] {
  const byProject = new Map<string, Map<number, NumberedItem[]>>();
  const maxNumber = new Map<string, number>();
  for (const item of items) {
    let numbers = byProject.get(item.project_id);
    if (!numbers) byProject.set(item.project_id, (numbers = new Map<number, NumberedItem[]>()));
    const holders = numbers.get(item.item_number);
    if (holders) holders.push(item);
    else numbers.set(item.item_number, [item]);
    maxNumber.set(item.project_id, Math.max(maxNumber.get(item.project_id) ?? 0, item.item_number));
  }
  const plan: Renumbering[] = [];
  for (const [projectId, numbers] of [...byProject].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const losers = [...numbers.values()]
      .filter((holders) => holders.length > 1)
      .flatMap((holders) => holders.sort(firstCreated).slice(1))
      .sort(firstCreated);
    let next = Math.max(maxNumber.get(projectId) ?? 0, highest?.get(projectId) ?? 0);
    for (const loser of losers) plan.push({ id: loser.id, project_id: projectId, from: loser.item_number, to: ++next });
  }
  return plan;
}

/** The first free variant of a project key taken by an earlier project: WEB → WEB2, WEB3, … */
export function nextFreeProjectKey(key: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n++) {
    const suffix = String(n);
    const candidate = key.slice(0, 10 - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
