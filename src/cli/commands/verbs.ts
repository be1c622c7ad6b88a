import type { Command } from 'commander';
import { doneStatuses } from '../../workspace/index.js';
import { example, jsonOption } from '../options.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';

/** The lane `pm start` moves to: the default lanes' "in progress". */
export const STARTED_STATUS = 'in_progress';

/** Short verbs for the commonest moves; each is `pm item move KEY STATUS` for each key. */
export function registerVerbs(program: Command, session: Session): void {
  const out = session.out;
  const move = async (keys: string[], status: string, json: boolean | undefined) => {
    const tracker = await session.tracker();
    const moved = [];
    for (const key of keys) {
      const item = await tracker.moveItem(key, { status });
      moved.push(item);
      if (!json) out.line(`Moved ${out.c.bold(item.key)} to ${item.status}`);
    }
    if (json) out.json(moved.map(publicRecord));
  };

  // Never runs: `pm ls …` is rewritten to `pm item list …` before parsing (see expandAliases).
  program
    .command('ls')
    .description('list work items: pm item list, with its options')
    .allowUnknownOption()
    .allowExcessArguments();

  program
    .command('done')
    .alias('close')
    .description('move items to the first done status (workflow.done_statuses, default "done")')
    .argument('<items...>', 'display keys or ids')
    .addOption(jsonOption())
    .addHelpText('after', example('pm done WEB-3', 'pm close WEB-3 WEB-4'))
    .action(async (keys: string[], opts: { json?: boolean }) => {
      const status = (await session.setting((config) => doneStatuses(config)[0])) ?? doneStatuses({})[0]!;
      await move(keys, status, opts.json);
    });

  program
    .command('start')
    .description(`move items to ${STARTED_STATUS} (to track time too: pm time start KEY)`)
    .argument('<items...>', 'display keys or ids')
    .addOption(jsonOption())
    .addHelpText('after', example('pm start WEB-3'))
    .action(async (keys: string[], opts: { json?: boolean }) => move(keys, STARTED_STATUS, opts.json));
}
