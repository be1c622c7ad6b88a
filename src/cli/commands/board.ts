import type { Command } from 'commander';
import type { Board } from '../../tracker/index.js';
import { example, integer, jsonOption } from '../options.js';
import { renderBoard } from '../output/board.js';
import { ITEM_VIEW } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';

const DEFAULT_WIDTH = 120;

export function boardJson(board: Board) {
  return {
    project: publicRecord(board.project),
    sprint: board.sprint ? publicRecord(board.sprint) : null,
    columns: board.columns.map((col) => ({ lane: publicRecord(col.lane), items: col.items.map(publicRecord) })),
    unplaced: board.unplaced.map(publicRecord),
  };
}

/** What `pm ready` shows without --limit. */
const READY_LIMIT = 100;

export function registerBoard(program: Command, session: Session): void {
  const out = session.out;
  program
    .command('board')
    .description("show a project's board: one column per swim lane (the active sprint, if there is one)")
    .option('--project <key>', 'project key (default: the only project, or default_project)')
    .option('--sprint <sprint>', 'sprint name, id or "active"')
    .addOption(jsonOption())
    .addHelpText('after', example('pm board', 'pm board --project WEB --sprint "Sprint 1"'))
    .action(async (opts: { project?: string; sprint?: string; json?: boolean }) => {
      const project = await session.defaultProject(opts.project);
      const board = await (
        await session.tracker()
      ).board({
        ...(project !== undefined ? { project } : {}),
        ...(opts.sprint !== undefined ? { sprint: opts.sprint } : {}),
      });
      if (opts.json) return out.json(boardJson(board));
      const width = session.io.columns ?? (Number(session.io.env.COLUMNS) || DEFAULT_WIDTH);
      renderBoard(out, board, width);
    });

  listOptions(
    program
      .command('ready')
      .description('open items that nothing open blocks, most urgent first')
      .option('--project <key>', 'only this project')
      .option('--assignee <who>', 'only this assignee ("me", or "none")')
      .option('--sprint <sprint>', 'only this sprint (name, id, "active", or "none")')
      .option(
        '--limit <n>',
        'at most this many (default 100; a note on stderr says when there are more)',
        integer('--limit', 1, 9_999),
      ),
    ITEM_VIEW.fields,
  )
    .addHelpText(
      'after',
      example('pm ready --project WEB --limit 10', 'pm ready --assignee me --sprint active', "pm ready --format '{key} {title}'"),
    )
    .action(async (opts: { project?: string; assignee?: string; sprint?: string; limit?: number } & ListFlags) => {
      const project = await session.defaultProject(opts.project);
      // One more than shown tells whether there are more, which a --json array cannot say itself.
      const limit = opts.limit ?? READY_LIMIT;
      const found = await (
        await session.tracker()
      ).ready({
        ...(project !== undefined ? { project } : {}),
        ...(opts.assignee !== undefined ? { assignee: opts.assignee } : {}),
        ...(opts.sprint !== undefined ? { sprint: opts.sprint } : {}),
        limit: limit + 1,
      });
      const items = found.slice(0, limit);
      const more = found.length > limit ? `showing the first ${limit}; --limit for more` : undefined;
      await printList(out, ITEM_VIEW, items, opts, 'Nothing is ready: every open item is blocked (or there are none).');
      if (more) out.note(opts.json || opts.format ? more : out.c.dim(`… ${more}`));
    });
}
