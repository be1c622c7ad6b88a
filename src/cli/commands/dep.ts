import { Argument, type Command } from 'commander';
import { DEPENDENCY_TYPES, shortId, type DependencyType } from '../../domain/index.js';
import { example, jsonOption } from '../options.js';
import { printDependencies } from '../output/format.js';
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

  dep
    .command('list')
    .description("list dependencies, all or one item's")
    .argument('[item]', 'display key or id')
    .addOption(jsonOption())
    .addHelpText('after', example('pm dep list WEB-7'))
    .action(async (item: string | undefined, opts: { json?: boolean }) => {
      const deps = await (await session.tracker()).listDependencies(item);
      if (opts.json) return out.json(deps.map(publicRecord));
      if (deps.length === 0) return out.note('No dependencies.');
      printDependencies(out, deps);
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
