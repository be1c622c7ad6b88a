import type { Command } from 'commander';
import { SPRINT_STATUSES, parseDay, shortId, type Sprint } from '../../domain/index.js';
import { DAY_HELP, choiceListOption, choiceOption, example, ifVersionOption, jsonOption } from '../options.js';
import { confirmCascade } from '../confirm.js';
import { SPRINT_FIELDS, printItems, sprintView } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';
import { editOption, fileOption, longText, longTextOf, textFlags } from '../text-input.js';

const GOAL_FLAGS = textFlags('goal');

export function registerSprint(program: Command, session: Session): void {
  const out = session.out;
  const sprint = program.command('sprint').description('manage sprints');
  const keysOf = async () => new Map((await (await session.tracker()).listProjects({ all: true })).map((p) => [p.id, p.key]));

  sprint
    .command('add')
    .description('create a sprint in a project')
    .argument('<name>', 'sprint name, unique within the project')
    .option('--project <key>', 'project key (default: the only project, or default_project)')
    .requiredOption('--start <date>', `first day: ${DAY_HELP}`)
    .requiredOption('--end <date>', `last day: ${DAY_HELP}`)
    .option('--goal <text>', 'what the sprint is for (- reads stdin)')
    .addOption(fileOption('goal'))
    .addOption(editOption('goal'))
    .addOption(choiceOption('--status <status>', 'default planned', SPRINT_STATUSES))
    .addOption(jsonOption())
    .addHelpText('after', example('pm sprint add --project WEB "Sprint 1" --start 2026-12-01 --end 2026-12-14 --goal "Checkout"'))
    .action(
      async (
        name: string,
        opts: { project?: string; start: string; end: string; goal?: string; status?: string; json?: boolean },
      ) => {
        const goal = await longText(session.io, longTextOf(opts, 'goal'), GOAL_FLAGS);
        const project = await session.defaultProject(opts.project);
        const created = await (
          await session.tracker()
        ).addSprint({
          ...(project !== undefined ? { project } : {}),
          name,
          start_date: parseDay(opts.start, '--start', out.time()),
          end_date: parseDay(opts.end, '--end', out.time()),
          goal: goal ?? null,
          ...(opts.status !== undefined ? { status: opts.status as Sprint['status'] } : {}),
        });
        if (opts.json) return out.json(publicRecord(created));
        out.line(
          `Created sprint ${out.c.bold(created.name)} (${shortId(created.id)}), ${created.start_date} → ${created.end_date}`,
        );
      },
    );

  listOptions(
    sprint
      .command('list')
      .description('list sprints')
      .option('--project <key>', 'only this project')
      .addOption(choiceListOption('--status <status...>', 'only these statuses (comma-separated)', SPRINT_STATUSES)),
    SPRINT_FIELDS,
  )
    .addHelpText(
      'after',
      example('pm sprint list --project WEB --status active,planned', 'pm sprint list --fields name,status,start_date,end_date'),
    )
    .action(async (opts: { project?: string; status?: string[] } & ListFlags) => {
      const sprints = await (
        await session.tracker()
      ).listSprints({
        ...(opts.project !== undefined ? { project: opts.project } : {}),
        ...(opts.status ? { status: opts.status } : {}),
      });
      await printList(out, sprintView(keysOf), sprints, opts, 'No sprints.');
    });

  sprint
    .command('show')
    .description('show a sprint and its items')
    .argument('<sprint>', 'sprint id, name or "active"')
    .option('--project <key>', 'project to look the name up in')
    .addOption(jsonOption())
    .addHelpText('after', example('pm sprint show "Sprint 1" --project WEB', 'pm sprint show active'))
    .action(async (ref: string, opts: { project?: string; json?: boolean }) => {
      const tracker = await session.tracker();
      const found = await tracker.getSprint(ref, opts.project);
      const items = await tracker.listItems({ sprint: found.id, all: true, limit: 10_000 });
      if (opts.json) return out.json({ ...publicRecord(found), items: items.items.map(publicRecord) });
      const done = items.items.filter((i) => i.status === 'done').length;
      out.fields([
        ['name', found.name],
        ['status', found.status],
        ['dates', `${found.start_date} → ${found.end_date}`],
        ['goal', found.goal],
        ['items', `${items.total} (${done} done)`],
        ['points', items.items.reduce((s, i) => s + (i.story_points ?? 0), 0)],
        ['id', found.id],
      ]);
      if (items.items.length > 0) {
        out.line();
        printItems(out, items.items);
      }
    });

  sprint
    .command('edit')
    .description("change a sprint's name, goal, dates or status")
    .argument('<sprint>', 'sprint id or name')
    .option('--name <name>', 'new name')
    .option('--goal <text>', 'new goal ("" to clear, - reads stdin)')
    .addOption(fileOption('goal'))
    .addOption(editOption('goal'))
    .option('--start <date>', `new first day: ${DAY_HELP}`)
    .option('--end <date>', `new last day: ${DAY_HELP}`)
    .addOption(choiceOption('--status <status>', 'the new status', SPRINT_STATUSES))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm sprint edit "Sprint 1" --status active'))
    .action(
      async (
        ref: string,
        opts: { name?: string; goal?: string; start?: string; end?: string; status?: string; ifVersion?: number; json?: boolean },
      ) => {
        const tracker = await session.tracker();
        const before = await tracker.getSprint(ref);
        const goal = await longText(session.io, longTextOf(opts, 'goal'), GOAL_FLAGS, before.goal ?? '');
        const updated = await tracker.editSprint(
          ref,
          {
            ...(opts.name !== undefined ? { name: opts.name } : {}),
            ...(goal !== undefined ? { goal: goal === '' ? null : goal } : {}),
            ...(opts.start !== undefined ? { start_date: parseDay(opts.start, '--start', out.time()) } : {}),
            ...(opts.end !== undefined ? { end_date: parseDay(opts.end, '--end', out.time()) } : {}),
            ...(opts.status !== undefined ? { status: opts.status as Sprint['status'] } : {}),
          },
          opts.ifVersion,
        );
        if (opts.json) return out.json(publicRecord(updated));
        out.edited(
          before,
          updated,
          `sprint ${updated.name}`,
          `Updated sprint ${out.c.bold(updated.name)} (version ${updated.version})`,
        );
      },
    );

  sprint
    .command('rm')
    .description('delete a sprint; its items keep existing, without a sprint')
    .argument('<sprint>', 'sprint id or name')
    .option('-y, --yes', 'delete even when items are in it, without asking')
    .addOption(jsonOption())
    .addHelpText('after', example('pm sprint rm "Sprint 1"'))
    .action(async (ref: string, opts: { yes?: boolean; json?: boolean }) => {
      const tracker = await session.tracker();
      const target = await tracker.getSprint(ref);
      const items = (await tracker.listItems({ sprint: target.id, all: true, limit: 1 })).total;
      const also = items > 0 ? `its ${items} item${items === 1 ? '' : 's'} would lose their sprint` : undefined;
      if (!(await confirmCascade(session, `sprint ${target.name}`, also, opts.yes ?? false))) return;
      const removed = await tracker.removeSprint(target.id);
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted sprint ${removed.name} (pm sprint restore ${shellWord(removed.name)} undoes it)`);
    });

  sprint
    .command('restore')
    .description('undo pm sprint rm: the sprint lives again, with the items its delete took out of it')
    .argument('<sprint>', 'name or id of the deleted sprint')
    .addOption(jsonOption())
    .addHelpText('after', example('pm sprint restore "Sprint 1"'))
    .action((ref: string, opts: { json?: boolean }) => restoreSprint(session, ref, opts));
}

/** A sprint name as it would be typed in a shell. */
function shellWord(name: string): string {
  return /^[\w.-]+$/.test(name) ? name : `"${name.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** `pm sprint restore` and `pm restore` of a sprint. */
export async function restoreSprint(session: Session, ref: string, opts: { json?: boolean }): Promise<void> {
  const out = session.out;
  const tracker = await session.tracker();
  const wasLive = await tracker.getSprint(ref).then(
    () => true,
    () => false,
  );
  const restored = await tracker.restoreSprint(ref);
  if (opts.json) return out.json(publicRecord(restored));
  if (wasLive) return out.note(`sprint ${restored.name} is not deleted: nothing to restore`);
  const items = (await tracker.listItems({ sprint: restored.id, all: true, limit: 1 })).total;
  out.line(`Restored sprint ${out.c.bold(restored.name)} with ${items} item${items === 1 ? '' : 's'}`);
}
