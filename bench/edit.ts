import { readFileSync, writeFileSync } from 'node:fs';
import type { AnyRecord, EntityType } from '../src/domain/index.js';
import { canonicalRecord } from '../src/sync/index.js';

const FIELD: Partial<Record<EntityType, string>> = {
  projects: 'title',
  sprints: 'goal',
  work_items: 'title',
  comments: 'content',
  dependencies: 'deleted_at',
  time_entries: 'description',
};

export interface EditPlan {
  /** Change every n-th record… */
  every: number;
  /** …starting at this one. */
  offset?: number;
  /** At most this many. */
  limit?: number;
  /** Which field of a work item to change (others change their usual field). */
  itemField?: 'title' | 'status' | 'priority';
  /** The write time of the edits. */
  at: string;
  tag: string;
}

/**
 * Rewrites a snapshot with some records edited the way a teammate's edits would look: one
 * field changed, with its clock, `updated_at` and `version` moved on. Returns how many.
 */
export function editSnapshot(source: string, target: string, plan: EditPlan): number {
  const lines = readFileSync(source, 'utf8').split('\n');
  let type: EntityType | undefined;
  let n = 0;
  let changed = 0;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    const open = /^"([a-z_]+)": \[/.exec(t);
    if (open) type = open[1] as EntityType;
    if (!t.startsWith('{"id"') || !type || !FIELD[type]) continue;
    if ((n++ - (plan.offset ?? 0)) % plan.every !== 0 || n - 1 < (plan.offset ?? 0)) continue;
    if (plan.limit !== undefined && changed >= plan.limit) break;
    const comma = t.endsWith(',');
    const record = JSON.parse(comma ? t.slice(0, -1) : t) as AnyRecord & Record<string, unknown>;
    const f = type === 'work_items' ? (plan.itemField ?? 'title') : FIELD[type]!;
    record[f] =
      f === 'deleted_at'
        ? plan.at
        : f === 'status'
          ? 'review'
          : f === 'priority'
            ? 'critical'
            : `${(record[f] as string | null) ?? ''} (${plan.tag})`;
    record.updated_at = plan.at;
    record.version += 1;
    record.field_updated_at = { ...record.field_updated_at, [f]: plan.at };
    lines[i] = `    ${canonicalRecord(type, record)}${comma ? ',' : ''}`;
    changed++;
  }
  writeFileSync(target, lines.join('\n'));
  return changed;
}
