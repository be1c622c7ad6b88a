import type { Command } from 'commander';
import { shortId } from '../../domain/index.js';
import { example, jsonOption } from '../options.js';
import { publicRecord } from '../output/output.js';
import type { Conflict } from '../../domain/index.js';
import type { ConflictChoice, Tracker } from '../../tracker/index.js';
import type { Session } from '../session.js';

export function registerConflicts(program: Command, session: Session): void {
  const out = session.out;
  const conflicts = program
    .command('conflicts')
    .description('same-field edits that a merge decided: what each side had and which won')
    .option('--all', 'include resolved conflicts')
    .option('--record <ref>', 'only for this item key or record id')
    .addOption(jsonOption())
    .addHelpText('after', example('pm conflicts', 'pm conflicts --all --json'))
    .action(async (opts: { all?: boolean; record?: string; json?: boolean }) => {
      const tracker = await session.tracker();
      const conflicts = await tracker.listConflicts({
        all: opts.all ?? false,
        ...(opts.record !== undefined ? { record: opts.record } : {}),
      });
      const keys = await recordKeys(tracker, conflicts);
      if (opts.json) return out.json(conflicts.map((cf) => withRecordKey(publicRecord(cf), keys.get(cf.record_id) ?? null)));
      if (conflicts.length === 0) return out.note(opts.all ? 'No conflicts recorded.' : 'No open conflicts.');
      const label = (cf: Conflict) => {
        const key = keys.get(cf.record_id);
        if (key === undefined) return `${cf.entity_type.replace(/s$/, '')} ${shortId(cf.record_id)}`;
        return cf.entity_type === 'projects' ? `project ${key}` : key;
      };
      out.table(
        [
          { header: 'ID' },
          { header: 'WHEN' },
          { header: 'RECORD' },
          { header: 'FIELD' },
          { header: 'OURS', shrink: true },
          { header: 'THEIRS', shrink: true },
          { header: 'KEPT' },
          { header: 'WHY', flex: true },
        ],
        conflicts.map((cf) => [
          shortId(cf.id),
          out.when(cf.detected_at),
          label(cf),
          cf.field,
          shownValue(cf, cf.ours_value, label(cf)),
          shownValue(cf, cf.theirs_value, label(cf)),
          cf.resolution ? `${cf.resolution} (resolved)` : cf.winner,
          cf.reason,
        ]),
      );
    });

  conflicts
    .command('resolve')
    .description('settle a conflict: keep our value, their value, or another value (an ordinary edit that syncs)')
    .argument('<id>', 'conflict id (or the tail pm conflicts shows)')
    .requiredOption('--take <choice>', 'ours | theirs | a value (e.g. "Another title", 5, null)')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example('pm conflicts resolve 3f9a1b2c4d5e --take theirs', 'pm conflicts resolve 3f9a1b2c4d5e --take "A better title"'),
    )
    .action(async (id: string, opts: { take: string; json?: boolean }) => {
      const choice: ConflictChoice = opts.take === 'ours' || opts.take === 'theirs' ? { take: opts.take } : { value: opts.take };
      const { conflict, record } = await (await session.tracker()).resolveConflict(id, choice);
      if (opts.json) return out.json({ conflict: publicRecord(conflict), record: publicRecord(record) });
      out.line(
        `Resolved ${shortId(conflict.id)}: ${conflict.field} = ${JSON.stringify(conflict.resolved_value)} (${conflict.resolution})`,
      );
    });
}

/** The display keys of the records conflicts are about: items' (WEB-3) and projects' (WEB); none for other records or gone ones. */
async function recordKeys(tracker: Tracker, conflicts: readonly Conflict[]): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const cf of conflicts) {
    if (keys.has(cf.record_id)) continue;
    try {
      if (cf.entity_type === 'work_items') keys.set(cf.record_id, (await tracker.getItem(cf.record_id)).key);
      if (cf.entity_type === 'projects') keys.set(cf.record_id, (await tracker.getProject(cf.record_id)).key);
    } catch {
      // A record this replica cannot show (purged): its id will do.
    }
  }
  return keys;
}

/** A conflict as JSON with `record_key` next to `record_id`, as the table shows the key. */
function withRecordKey(record: Record<string, unknown>, key: string | null): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).flatMap(([k, v]) =>
      k === 'record_id'
        ? [
            [k, v],
            ['record_key', key],
          ]
        : [[k, v]],
    ),
  );
}

/** A value as JSON, and an item's number as the key it made (WEB-3), so a renumbering shows its old key. */
function shownValue(cf: Conflict, value: unknown, itemKey: string): string {
  const number = cf.field === 'item_number' && typeof value === 'number' && /^[A-Z][A-Z0-9]*-\d+$/.test(itemKey);
  return number ? itemKey.replace(/\d+$/, String(value)) : JSON.stringify(value);
}
