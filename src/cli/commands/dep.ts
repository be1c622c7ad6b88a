import { Argument, type Command } from 'commander';
import { DEPENDENCY_TYPES, shortId, type DependencyType } from '../../domain/index.js';
import { example, jsonOption } from '../options.js';
import { DEPENDENCY_VIEW } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';

export function registerDep(program: Command, session: Session): void {
  const out = session.out;
  const dep = program.command('dep').description('dependencies between work items');

  dep
    .command('add')
    .description('record that one item blocks (or relates to) another; blocks never form a cycle')
    .argument('<item>', 'the blocking item')
    .addArgument(new Argument('<type>', 'how the first relates to the other').choices(DEPENDENCY_TYPES))
    .argument('<other>', 'the blocked (or related) item')
    .addOption(jsonOption())
    .addHelpText('after', example('pm dep add WEB-3 blocks WEB-7', 'pm dep add WEB-3 relates_to WEB-9'))
    .action(async (blocking: string, type: DependencyType, blocked: string, opts: { json?: boolean }) => {
      const created = await (await session.tracker()).addDependency({ blocking, dependency_type: type, blocked });
      if (opts.json) return out.json(publicRecord(created));
      out.line(
        `${created.blocking_key} ${type === 'blocks' ? 'blocks' : 'relates to'} ${created.blocked_key} (${shortId(created.id)})`,
      );
    });

  const depList = dep.command('list').description("list dependencies, all or one item's").argument('[item]', 'display key or id');
  listOptions(depList, DEPENDENCY_VIEW.fields)
    .addHelpText('after', example('pm dep list WEB-7', "pm dep list --format '{blocking_key} {dependency_type} {blocked_key}'"))
    .action(async (item: string | undefined, opts: ListFlags) => {
      const deps = await (await session.tracker()).listDependencies(item);
      await printList(out, DEPENDENCY_VIEW, deps, opts, 'No dependencies.');
    });

  dep
    .command('rm')
    .description('delete a dependency')
    .argument('<id>', 'dependency id (or the tail shown by list)')
    .addOption(jsonOption())
    .addHelpText('after', example('pm dep rm 3f9a1b2c4d5e'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const removed = await (await session.tracker()).removeDependency(id);
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted dependency ${removed.blocking_key} ${removed.dependency_type} ${removed.blocked_key}`);
    });
}
