import type { Command } from 'commander';
import { formatDuration, parseDuration, parseWhen, shortId, toTimestamp, type TimeEntryPatch } from '../../domain/index.js';
import type { TimeEntryView } from '../../tracker/index.js';
import { DURATION_HELP, WHEN_HELP, example, ifVersionOption, jsonOption } from '../options.js';
import { TIME_VIEW } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';
import { DESCRIPTION_FLAGS, editOption, fileOption, longText, longTextOf } from '../text-input.js';

export function registerTime(program: Command, session: Session): void {
  const out = session.out;
  const time = program.command('time').description('track time on work items');

  time
    .command('start')
    .description('start a timer on an item (one timer per person)')
    .argument('<item>', 'display key or id')
    .option('--description <text>', 'what you are doing (- reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .addOption(jsonOption())
    .addHelpText('after', example('pm time start WEB-12 --description "pairing on checkout"'))
    .action(async (item: string, opts: { description?: string; json?: boolean }) => {
      const description = await longText(session.io, longTextOf(opts, 'description'), DESCRIPTION_FLAGS);
      const entry = await (await session.tracker()).startTimer({ item, description: description ?? null });
      if (opts.json) return out.json(publicRecord(entry));
      out.line(`Timer started on ${entry.key} at ${out.clockTime(entry.started_at)}`);
    });

  time
    .command('stop')
    .description('stop your running timer')
    .addOption(jsonOption())
    .addHelpText('after', example('pm time stop'))
    .action(async (opts: { json?: boolean }) => {
      const entry = await (await session.tracker()).stopTimer();
      if (opts.json) return out.json(publicRecord(entry));
      out.line(`Timer stopped on ${entry.key}: ${formatDuration(entry.duration_seconds ?? 0)}`);
    });

  time
    .command('add')
    .description('record time already spent')
    .argument('<item>', 'display key or id')
    .requiredOption('--duration <duration>', DURATION_HELP)
    .option('--description <text>', 'what you did (- reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .option('--started <time>', `when you started (default: duration ago): ${WHEN_HELP}`)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'pm time add WEB-12 --duration 1h30m --description "code review"',
        'pm time add WEB-12 --duration 1d --started "yesterday 9:00"',
      ),
    )
    .action(async (item: string, opts: { duration: string; description?: string; started?: string; json?: boolean }) => {
      const duration_seconds = parseDuration(opts.duration, '--duration');
      const description = await longText(session.io, longTextOf(opts, 'description'), DESCRIPTION_FLAGS);
      const entry = await (
        await session.tracker()
      ).addTime({
        item,
        duration_seconds,
        description: description ?? null,
        ...(opts.started !== undefined ? { started_at: toTimestamp(parseWhen(opts.started, '--started', out.time())) } : {}),
      });
      if (opts.json) return out.json(publicRecord(entry));
      out.line(`Logged ${formatDuration(entry.duration_seconds ?? 0)} on ${entry.key}`);
    });

  time
    .command('edit')
    .description('change a time entry: its duration, start or description (the end follows)')
    .argument('<id>', 'time entry id (or the tail shown by list)')
    .option('--duration <duration>', `${DURATION_HELP} (not on a running timer)`)
    .option('--started <time>', `when it started: ${WHEN_HELP}`)
    .option('--description <text>', 'what you did ("" to clear, - reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm time edit 3f9a1b2c4d5e --duration 1h30m --description "code review"'))
    .action(
      async (
        id: string,
        opts: { duration?: string; started?: string; description?: string; ifVersion?: number; json?: boolean },
      ) => {
        const patch: TimeEntryPatch = {
          ...(opts.duration !== undefined ? { duration_seconds: parseDuration(opts.duration, '--duration') } : {}),
          ...(opts.started !== undefined ? { started_at: toTimestamp(parseWhen(opts.started, '--started', out.time())) } : {}),
        };
        const tracker = await session.tracker();
        const before = await tracker.getTimeEntry(id);
        const description = await longText(
          session.io,
          longTextOf(opts, 'description'),
          DESCRIPTION_FLAGS,
          before.description ?? '',
        );
        if (description !== undefined) patch.description = description === '' ? null : description;
        const updated = await tracker.editTime(id, patch, opts.ifVersion);
        if (opts.json) return out.json(publicRecord(updated));
        out.edited(
          before,
          updated,
          `time entry ${shortId(updated.id)}`,
          `Updated time entry ${shortId(updated.id)} on ${updated.key}: ${spent(updated)} (version ${updated.version})`,
        );
      },
    );

  time
    .command('rm')
    .description('delete a time entry (a running timer is discarded)')
    .argument('<id>', 'time entry id (or the tail shown by list)')
    .addOption(jsonOption())
    .addHelpText('after', example('pm time rm 3f9a1b2c4d5e'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const removed = await (await session.tracker()).removeTime(id);
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted time entry ${shortId(removed.id)} on ${removed.key}`);
    });

  listOptions(
    time
      .command('list')
      .description("list time entries, all or one item's")
      .argument('[item]', 'display key or id')
      .option('--user <who>', 'only this person'),
    TIME_VIEW.fields,
  )
    .addHelpText('after', example('pm time list WEB-12', "pm time list --user me --format '{key}\\t{duration_seconds}'"))
    .action(async (item: string | undefined, opts: { user?: string } & ListFlags) => {
      const entries = await (
        await session.tracker()
      ).listTime({
        ...(item !== undefined ? { item } : {}),
        ...(opts.user !== undefined ? { user: opts.user } : {}),
      });
      await printList(out, TIME_VIEW, entries, opts, 'No time entries.');
    });
}

function spent(entry: TimeEntryView): string {
  return entry.ended_at === null ? 'running' : formatDuration(entry.duration_seconds ?? 0);
}
