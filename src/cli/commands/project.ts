import type { Command } from 'commander';
import { PROJECT_STATUSES, type Project } from '../../domain/index.js';
import { choiceOption, example, jsonOption, ifVersionOption } from '../options.js';
import { PROJECT_VIEW } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';
import { DESCRIPTION_FLAGS, editOption, fileOption, longText, longTextOf } from '../text-input.js';

export function registerProject(program: Command, session: Session): void {
  const out = session.out;
  const project = program.command('project').description('manage projects');
  const show = (p: Project, json: boolean | undefined) => {
    if (json) return out.json(publicRecord(p));
    out.fields([
      ['key', p.key],
      ['title', p.title],
      ['status', p.status],
      ['description', p.description],
      ['next number', p.next_work_item_number],
      ['created', `${out.when(p.created_at)} by ${p.created_by}`],
      ['updated', `${out.when(p.updated_at)} by ${p.updated_by}`],
      ['id', p.id],
    ]);
  };

  project
    .command('add')
    .description('create a project; its key prefixes every item key (WEB-1, WEB-2, …)')
    .argument('<key>', 'short key: 2-10 letters or digits, starting with a letter')
    .argument('<title>', 'project title')
    .option('--description <text>', 'longer description (- reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .addOption(jsonOption())
    .addHelpText('after', example('pm project add WEB "Website relaunch" --description "Q3 redesign"'))
    .action(async (key: string, title: string, opts: { description?: string; json?: boolean }) => {
      const description = await longText(session.io, longTextOf(opts, 'description'), DESCRIPTION_FLAGS);
      const created = await (await session.tracker()).addProject({ key, title, description: description ?? null });
      if (opts.json) return out.json(publicRecord(created));
      out.line(`Created project ${out.c.bold(created.key)}: ${created.title}`);
    });

  const projectList = project.command('list').description('list projects').option('--all', 'include archived projects');
  listOptions(projectList, PROJECT_VIEW.fields)
    .addHelpText('after', example('pm project list', 'pm project list --all --json', "pm project list --format '{key} {title}'"))
    .action(async (opts: { all?: boolean } & ListFlags) => {
      const projects = await (await session.tracker()).listProjects({ all: opts.all ?? false });
      await printList(out, PROJECT_VIEW, projects, opts, 'No projects yet: pm project add KEY "Title"');
    });

  project
    .command('show')
    .description('show one project')
    .argument('<key>', 'project key or id')
    .addOption(jsonOption())
    .addHelpText('after', example('pm project show WEB'))
    .action(async (key: string, opts: { json?: boolean }) => {
      show(await (await session.tracker()).getProject(key), opts.json);
    });

  project
    .command('edit')
    .description("change a project's title, description or status")
    .argument('<key>', 'project key or id')
    .option('--title <title>', 'new title')
    .option('--description <text>', 'new description ("" to clear, - reads stdin)')
    .addOption(fileOption('description'))
    .addOption(editOption('description'))
    .addOption(choiceOption('--status <status>', 'the new status', PROJECT_STATUSES))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm project edit WEB --status archived'))
    .action(
      async (
        key: string,
        opts: { title?: string; description?: string; status?: string; ifVersion?: number; json?: boolean },
      ) => {
        const tracker = await session.tracker();
        const before = await tracker.getProject(key);
        const description = await longText(
          session.io,
          longTextOf(opts, 'description'),
          DESCRIPTION_FLAGS,
          before.description ?? '',
        );
        const patch = {
          ...(opts.title !== undefined ? { title: opts.title } : {}),
          ...(description !== undefined ? { description: description === '' ? null : description } : {}),
          ...(opts.status !== undefined ? { status: opts.status as Project['status'] } : {}),
        };
        const updated = await tracker.editProject(key, patch, opts.ifVersion);
        if (opts.json) return out.json(publicRecord(updated));
        out.edited(
          before,
          updated,
          `project ${updated.key}`,
          `Updated project ${out.c.bold(updated.key)} (version ${updated.version})`,
        );
      },
    );

  project
    .command('rm')
    .description('delete a project (a tombstone that syncs); --force also deletes everything in it')
    .argument('<key>', 'project key or id')
    .option('--force', 'delete the project even if it has work items, with all of them')
    .addOption(jsonOption())
    .addHelpText('after', example('pm project rm OLD --force'))
    .action(async (key: string, opts: { force?: boolean; json?: boolean }) => {
      const removed = await (await session.tracker()).removeProject(key, { force: opts.force ?? false });
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted project ${removed.key}`);
    });
}
