import type { Command } from 'commander';
import {
  ITEM_TYPES,
  NotFoundError,
  PRIORITIES,
  formatDuration,
  parseItemKey,
  shortId,
  type ItemPatch,
  type ItemQuery,
  type NewItemInput,
} from '../../domain/index.js';
import type { ItemDetails, WorkItemView } from '../../tracker/index.js';
import {
  choiceListOption,
  choiceOption,
  cleared,
  example,
  ifVersionOption,
  integer,
  jsonOption,
  list,
  namingFlags,
  nullable,
  type Clearable,
} from '../options.js';
import { confirmCascade } from '../confirm.js';
import { ITEM_VIEW } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { restoreSprint } from './sprint.js';
import { publicRecord, type Output } from '../output/output.js';
import type { Session } from '../session.js';
import { DESCRIPTION_FLAGS, editOption, fileOption, longText, longTextOf } from '../text-input.js';

interface ItemFields {
  title?: string;
  type?: string;
  parent?: Clearable<string>;
  priority?: string;
  points?: Clearable<number>;
  sprint?: Clearable<string>;
  assignee?: Clearable<string>;
  status?: string;
  description?: string;
}

const points = nullable(integer('--points', 0));

/** The flag of each field of an item's input, for error messages. */
const ITEM_FLAGS = {
  project: '--project',
  item_type: '--type',
  parent: '--parent',
  priority: '--priority',
  story_points: '--points',
  sprint: '--sprint',
  assignee: '--assignee',
  status: '--status',
  description: '--description',
} as const;

/** What `item add` creates without --type: `[item] default_type` in config.toml, else a task. */
export const DEFAULT_ITEM_TYPE = 'task';
const ref = nullable((v: string) => v);

export function registerItem(program: Command, session: Session): void {
  const out = session.out;
  const item = program.command('item').description('manage work items (epics, stories, tasks)');

  item
    .command('add')
    .description('create a work item')
    .argument('<title>', 'what needs doing')
    .option('--project <key>', 'project key (default: the only project, or default_project)')
    .addOption(choiceOption('-t, --type <type>', `default ${DEFAULT_ITEM_TYPE}, or item.default_type in config.toml`, ITEM_TYPES))
    .option('--parent <key>', 'parent item in the same project, e.g. WEB-1')
    .addOption(choiceOption('--priority <priority>', 'default medium', PRIORITIES))
    .option('--points <n>', 'story points', integer('--points', 0))
    .option('--sprint <sprint>', 'sprint name or id')
    .option('--assignee <who>', 'assignee ("me" for you)')
    .option('--status <status>', 'lane status (default: the first lane)')
    .option('--description <text>', 'longer description (- reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'pm item add "Card form"                  # a task',
        'pm item add --project WEB -t epic "Checkout"',
        'pm item add --project WEB --type story "Pay by card" --parent WEB-1 --points 5 --sprint "Sprint 1"',
      ),
    )
    .action(async (title: string, opts: ItemFields & { project?: string; json?: boolean }) => {
      const description = await longText(session.io, longTextOf(opts, 'description'), DESCRIPTION_FLAGS);
      const project = await session.defaultProject(opts.project);
      const type = opts.type ?? (await session.setting((config) => config.item?.default_type)) ?? DEFAULT_ITEM_TYPE;
      const input: NewItemInput = {
        ...(project !== undefined ? { project } : {}),
        item_type: type as NewItemInput['item_type'],
        title,
        parent: cleared(opts.parent),
        ...(opts.priority !== undefined ? { priority: opts.priority as NewItemInput['priority'] } : {}),
        story_points: cleared(opts.points),
        sprint: cleared(opts.sprint),
        assignee: cleared(opts.assignee),
        ...(opts.status !== undefined ? { status: opts.status } : {}),
        ...(description !== undefined ? { description } : {}),
      };
      const created = await namingFlags(ITEM_FLAGS, async () => (await session.tracker()).addItem(input));
      if (opts.json) return out.json(publicRecord(created));
      out.line(`Created ${out.c.bold(created.key)} ${created.item_type}: ${created.title}`);
    });

  listOptions(
    item
      .command('list')
      .description('list work items (open ones unless --all)')
      .option('--project <key>', 'only this project')
      .option('--status <status...>', 'only these statuses (comma-separated)', list)
      .addOption(choiceListOption('--type <type...>', 'only these types (comma-separated)', ITEM_TYPES))
      .addOption(choiceListOption('--priority <priority...>', 'only these priorities (comma-separated)', PRIORITIES))
      .option('--sprint <sprint>', 'only this sprint (name, id, "active", or "none")')
      .option('--assignee <who>', 'only this assignee ("me", or "none")')
      .option('--parent <key>', 'only children of this item ("none" for top level)')
      .option('--search <text>', 'only items whose title or description contains this')
      .option('--all', 'every item: finished ones too, and every page (streamed) unless --limit')
      .option('--deleted', 'include deleted items')
      .option('--limit <n>', 'at most this many (default 100; a note on stderr says when there are more)', integer('--limit', 1))
      .option('--offset <n>', 'skip this many', integer('--offset', 0))
      .option('--sort <fields>', 'e.g. -priority,updated_at: "-" for descending (default: project and number)'),
    ITEM_VIEW.fields,
  )
    .addHelpText(
      'after',
      example(
        'pm item list --project WEB --status todo,in_progress --assignee me',
        'pm item list --sort -priority,updated_at',
        'pm item list --fields key,status,assignee_id,title',
        "pm item list --all --format '{key}\\t{status}\\t{title}'",
        'pm item list --all --json --fields key,title',
      ),
    )
    .action(
      async (
        opts: {
          project?: string;
          status?: string[];
          type?: string[];
          priority?: string[];
          sprint?: string;
          assignee?: string;
          parent?: string;
          search?: string;
          all?: boolean;
          deleted?: boolean;
          limit?: number;
          offset?: number;
          sort?: string;
        } & ListFlags,
      ) => {
        const tracker = await session.tracker();
        const query: ItemQuery = {
          ...(opts.project !== undefined ? { project: opts.project } : {}),
          ...(opts.status ? { status: opts.status } : {}),
          ...(opts.type ? { item_type: opts.type as NewItemInput['item_type'][] } : {}),
          ...(opts.priority ? { priority: opts.priority as NonNullable<NewItemInput['priority']>[] } : {}),
          ...(opts.sprint !== undefined ? { sprint: opts.sprint } : {}),
          ...(opts.assignee !== undefined ? { assignee: opts.assignee } : {}),
          ...(opts.parent !== undefined ? { parent: opts.parent } : {}),
          ...(opts.search !== undefined ? { search: opts.search } : {}),
          all: opts.all ?? false,
          deleted: opts.deleted ?? false,
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          ...(opts.offset !== undefined ? { offset: opts.offset } : {}),
          ...(opts.sort !== undefined ? { sort: opts.sort } : {}),
        };
        const list = (q: ItemQuery) => namingFlags(ITEM_FLAGS, () => tracker.listItems(q));
        if (opts.all && opts.limit === undefined)
          return printList(out, ITEM_VIEW, everyItem(list, query), opts, 'No matching items.');
        const page = await list(query);
        const shown = page.offset + page.items.length;
        const more =
          shown < page.total && (opts.json || page.items.length > 0)
            ? `showing ${page.items.length} of ${page.total}`
            : undefined;
        await printList(out, ITEM_VIEW, page.items, opts, page.total === 0 ? 'No matching items.' : 'No items on this page.');
        // Plain for scripts reading stderr; dimmed under a table.
        const note = `${more}; --all for every one (finished ones too), or --limit/--offset`;
        if (more) out.note(opts.json || opts.format ? note : out.c.dim(`… ${note}`));
      },
    );

  item
    .command('show')
    .description('show an item with its children, dependencies, comments and time')
    .argument('<item>', 'display key (WEB-12) or id')
    .addOption(jsonOption())
    .addHelpText('after', example('pm item show WEB-12'))
    .action(async (key: string, opts: { json?: boolean }) => {
      const details = await (await session.tracker()).itemDetails(key);
      if (opts.json) return out.json(detailsJson(details));
      printDetails(out, details);
    });

  item
    .command('edit')
    .description('change fields of an item')
    .argument('<item>', 'display key or id')
    .option('--title <title>', 'new title')
    .addOption(choiceOption('-t, --type <type>', 'the item type', ITEM_TYPES))
    .option('--status <status>', 'lane status')
    .addOption(choiceOption('--priority <priority>', 'the priority', PRIORITIES))
    .option('--points <n>', 'story points ("none" to clear)', points)
    .option('--sprint <sprint>', 'sprint name or id ("none" to clear)', ref)
    .option('--assignee <who>', 'assignee ("me"; "none" to clear)', ref)
    .option('--parent <key>', 'parent item ("none" to clear)', ref)
    .option('--description <text>', 'new description ("" to clear, - reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm item edit WEB-12 --status review --assignee me --points 3'))
    .action(async (key: string, opts: ItemFields & { ifVersion?: number; json?: boolean }) => {
      const tracker = await session.tracker();
      const before = await tracker.getItem(key);
      const description = await longText(
        session.io,
        longTextOf(opts, 'description'),
        DESCRIPTION_FLAGS,
        before.description ?? '',
      );
      const patch: ItemPatch = {
        ...(opts.title !== undefined ? { title: opts.title } : {}),
        ...(opts.type !== undefined ? { item_type: opts.type as ItemPatch['item_type'] } : {}),
        ...(opts.status !== undefined ? { status: opts.status } : {}),
        ...(opts.priority !== undefined ? { priority: opts.priority as ItemPatch['priority'] } : {}),
        ...(opts.points !== undefined ? { story_points: cleared(opts.points) } : {}),
        ...(opts.sprint !== undefined ? { sprint: cleared(opts.sprint) } : {}),
        ...(opts.assignee !== undefined ? { assignee: cleared(opts.assignee) } : {}),
        ...(opts.parent !== undefined ? { parent: cleared(opts.parent) } : {}),
        ...(description !== undefined ? { description: description === '' ? null : description } : {}),
      };
      const updated = await namingFlags(ITEM_FLAGS, () => tracker.editItem(key, patch, opts.ifVersion));
      if (opts.json) return out.json(publicRecord(updated));
      out.edited(before, updated, updated.key, `Updated ${out.c.bold(updated.key)} (version ${updated.version})`);
    });

  item
    .command('move')
    .description('move an item to a lane, optionally to a place in it')
    .argument('<item>', 'display key or id')
    .argument('<status>', 'the lane to move to')
    .option('--position <n>', '1 = top of the lane (default: bottom)', integer('--position', 1))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm item move WEB-12 in_progress --position 1'))
    .action(async (key: string, status: string, opts: { position?: number; ifVersion?: number; json?: boolean }) => {
      const moved = await (
        await session.tracker()
      ).moveItem(key, {
        status,
        ...(opts.position !== undefined ? { rank: opts.position } : {}),
        ...(opts.ifVersion !== undefined ? { version: opts.ifVersion } : {}),
      });
      if (opts.json) return out.json(publicRecord(moved));
      out.line(`Moved ${out.c.bold(moved.key)} to ${moved.status}`);
    });

  item
    .command('rm')
    .description(
      'delete an item (a tombstone that syncs) and its dependencies; its children lose their parent; pm restore undoes it',
    )
    .argument('<item>', 'display key or id')
    .option('-y, --yes', 'delete even when it has children, without asking')
    .addOption(jsonOption())
    .addHelpText('after', example('pm item rm WEB-12'))
    .action(async (key: string, opts: { yes?: boolean; json?: boolean }) => {
      const tracker = await session.tracker();
      const target = await tracker.getItem(key);
      const children = await tracker.listItems({ parent: target.id, all: true, limit: 5 });
      const n = children.total;
      const also = n > 0 ? `its ${n} child item${n === 1 ? '' : 's'} would lose ${n === 1 ? 'its' : 'their'} parent` : undefined;
      if (!(await confirmCascade(session, target.key, also, opts.yes ?? false))) return;
      const removed = await tracker.removeItem(target.id);
      if (n > 0) {
        const more = n > children.items.length ? ` and ${n - children.items.length} more` : '';
        out.note(`${children.items.map((c) => c.key).join(', ')}${more} no longer ${n === 1 ? 'has' : 'have'} a parent`);
      }
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted ${removed.key} (pm restore ${removed.key} undoes it)`);
    });

  const restoreItem = async (key: string, opts: { json?: boolean }) => {
    const tracker = await session.tracker();
    const wasLive = await tracker.getItem(key).then(
      () => true,
      () => false,
    );
    const restored = await tracker.restoreItem(key);
    if (opts.json) return out.json(publicRecord(restored));
    if (wasLive) return out.note(`${restored.key} is not deleted: nothing to restore`);
    out.line(`Restored ${out.c.bold(restored.key)}: ${restored.title}`);
  };

  item
    .command('restore')
    .description('undo pm item rm: the item lives again, with the dependencies its delete took and its children back')
    .argument('<item>', 'display key or id of the deleted item')
    .addOption(jsonOption())
    .addHelpText('after', example('pm item restore WEB-12'))
    .action(restoreItem);

  program
    .command('restore')
    .description('undo pm item rm or pm sprint rm: an item by key or id, else a sprint by name or id')
    .argument('<ref>', 'display key or id of a deleted item, or name or id of a deleted sprint')
    .addOption(jsonOption())
    .addHelpText('after', example('pm restore WEB-12', 'pm restore "Sprint 1"'))
    .action(async (ref: string, opts: { json?: boolean }) => {
      if (parseItemKey(ref) !== null) return restoreItem(ref, opts);
      try {
        return await restoreItem(ref, opts);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      try {
        return await restoreSprint(session, ref, opts);
      } catch (error) {
        throw error instanceof NotFoundError ? new NotFoundError('item or sprint', ref) : error;
      }
    });
}

function detailsJson(d: ItemDetails) {
  return {
    ...publicRecord(d.item),
    parent: d.parent,
    children: d.children,
    sprint: d.sprint,
    blocked_by: d.blocked_by.map(publicRecord),
    blocks: d.blocks.map(publicRecord),
    relates_to: d.relates_to.map(publicRecord),
    comments: d.comments.map(publicRecord),
    time_entries: d.time_entries.map(publicRecord),
    total_seconds: d.total_seconds,
    aliases: d.aliases,
  };
}

function printDetails(out: Output, d: ItemDetails): void {
  const i = d.item;
  const c = out.c;
  out.line(`${c.bold(i.key)} ${c.dim(i.item_type)}  ${c.bold(i.title)}${i.deleted_at ? c.red('  (deleted)') : ''}`);
  out.fields([
    ['status', i.status],
    ['priority', i.priority],
    ['points', i.story_points],
    ['assignee', i.assignee_id],
    ['sprint', d.sprint ? `${d.sprint.name} (${d.sprint.status})` : null],
    ['parent', d.parent ? `${d.parent.key} ${d.parent.title}` : null],
    ['time', d.total_seconds > 0 ? formatDuration(d.total_seconds) : null],
    ['created', `${out.when(i.created_at)} by ${i.created_by}`],
    ['updated', `${out.when(i.updated_at)} by ${i.updated_by} (version ${i.version})`],
    ['id', i.id],
    ...(d.aliases.length ? [['was', d.aliases.join(', ')] as const] : []),
  ]);
  if (i.description) out.line(`\n${i.description}`);
  const section = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.line(`\n${c.bold(title)}`);
    for (const line of lines) out.line(`  ${line}`);
  };
  section(
    'Children',
    d.children.map((ch) => `${ch.key}  ${c.dim(ch.status)}  ${ch.title}`),
  );
  section(
    'Blocked by',
    d.blocked_by.map((dep) => `${dep.blocking_key}  ${c.dim(shortId(dep.id))}`),
  );
  section(
    'Blocks',
    d.blocks.map((dep) => `${dep.blocked_key}  ${c.dim(shortId(dep.id))}`),
  );
  section(
    'Related',
    d.relates_to.map((dep) => `${dep.blocking_item_id === i.id ? dep.blocked_key : dep.blocking_key}  ${c.dim(shortId(dep.id))}`),
  );
  section(
    'Comments',
    d.comments.map(
      (cm) =>
        `${c.dim(`${out.when(cm.created_at)} ${cm.created_by} ${shortId(cm.id)}`)}\n    ${cm.content.replace(/\n/g, '\n    ')}`,
    ),
  );
}

/** Big enough that few queries run, small enough that a huge list never sits in memory whole. */
export const STREAM_PAGE = 500;

/** Every item the query matches, a page at a time from its --offset on. */
export async function* everyItem(
  list: (q: ItemQuery) => Promise<{ items: WorkItemView[]; total: number }>,
  query: ItemQuery,
): AsyncGenerator<WorkItemView> {
  for (let offset = query.offset ?? 0; ; offset += STREAM_PAGE) {
    const page = await list({ ...query, offset, limit: STREAM_PAGE });
    yield* page.items;
    if (page.items.length < STREAM_PAGE) return;
  }
}
