import type { Command } from 'commander';
import { shortId } from '../../domain/index.js';
import { example, ifVersionOption, integer, jsonOption } from '../options.js';
import { LANE_FIELDS, laneView } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';

export function registerLane(program: Command, session: Session): void {
  const out = session.out;
  const lane = program.command('lane').description('manage swim lanes (board columns, one per status)');
  const keysOf = async () => new Map((await (await session.tracker()).listProjects({ all: true })).map((p) => [p.id, p.key]));

  lane
    .command('add')
    .description('add a lane; without --project it is shared by every project')
    .argument('<name>', 'column title')
    .requiredOption('--status <value>', 'the status items in this lane have, e.g. qa')
    .option('--project <key>', 'only for this project')
    .option('--position <n>', 'column order (default: last)', integer('--position'))
    .addOption(jsonOption())
    .addHelpText('after', example('pm lane add --project WEB "QA" --status qa --position 4'))
    .action(async (name: string, opts: { status: string; project?: string; position?: number; json?: boolean }) => {
      const created = await (
        await session.tracker()
      ).addLane({
        name,
        status_value: opts.status,
        project: opts.project ?? null,
        ...(opts.position !== undefined ? { position: opts.position } : {}),
      });
      if (opts.json) return out.json(publicRecord(created));
      out.line(`Created lane ${out.c.bold(created.name)} (status ${created.status_value}, ${shortId(created.id)})`);
    });

  const laneList = lane
    .command('list')
    .description("list lanes; with --project, that project's board columns in order")
    .option('--project <key>', 'the lanes this project uses');
  listOptions(laneList, LANE_FIELDS)
    .addHelpText('after', example('pm lane list --project WEB', 'pm lane list --fields position,status_value,name'))
    .action(async (opts: { project?: string } & ListFlags) => {
      const lanes = await (await session.tracker()).listLanes(opts.project !== undefined ? { project: opts.project } : {});
      await printList(out, laneView(keysOf), lanes, opts, 'No lanes.');
    });

  lane
    .command('edit')
    .description('rename a lane or change its position')
    .argument('<lane>', 'lane id or status value')
    .option('--name <name>', 'new column title')
    .option('--position <n>', 'new column order', integer('--position'))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm lane edit review --name "Code review"'))
    .action(async (ref: string, opts: { name?: string; position?: number; ifVersion?: number; json?: boolean }) => {
      const tracker = await session.tracker();
      const before = await tracker.getLane(ref);
      const updated = await tracker.editLane(
        ref,
        {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.position !== undefined ? { position: opts.position } : {}),
        },
        opts.ifVersion,
      );
      if (opts.json) return out.json(publicRecord(updated));
      out.edited(before, updated, `lane ${updated.name}`, `Updated lane ${out.c.bold(updated.name)}`);
    });

  lane
    .command('rm')
    .description('delete a lane that no item is in')
    .argument('<lane>', 'lane id or status value')
    .addOption(jsonOption())
    .addHelpText('after', example('pm lane rm qa'))
    .action(async (ref: string, opts: { json?: boolean }) => {
      const removed = await (await session.tracker()).removeLane(ref);
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted lane ${removed.name}`);
    });
}
