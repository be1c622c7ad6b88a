import { relative } from 'node:path';
import type { Command } from 'commander';
import { StateError } from '../../domain/index.js';
import {
  PM_HOOKS,
  exportPending,
  exportSnapshot,
  git,
  ignoredBy,
  mergeSnapshotFiles,
  uninstallHooks,
  workTree,
  type PmHook,
} from '../../sync/index.js';
import { installGitHooks } from '../git-setup.js';
import { example } from '../options.js';
import { notCommitted } from './sync.js';
import type { Session } from '../session.js';

export function registerGit(program: Command, session: Session): void {
  const out = session.out;

  program
    .command('merge-driver')
    .description('git merge driver for .pm/data.json (registered by pm init): field by field, never conflict markers')
    .argument('<base>', "the common ancestor's version (git's %O)")
    .argument('<ours>', "our version; the merge is written here (git's %A)")
    .argument('<theirs>', "their version (git's %B)")
    .argument('[path]', "the file's path in the repository (git's %P)")
    .addHelpText('after', example("git config merge.pm.driver 'pm merge-driver %O %A %B %P'"))
    .action(async (base: string, ours: string, theirs: string, path: string | undefined) => {
      const result = await mergeSnapshotFiles(base, ours, theirs, ours, path ?? 'data.json');
      const notes = [
        ...(result.merged ? [`${result.merged} record(s) changed on both sides merged field by field`] : []),
        ...(result.conflicts ? [`${result.conflicts} decision(s) recorded: see pm conflicts`] : []),
        ...result.renumbered.map((r) => `${r.key_before} renumbered to ${r.key_after}`),
      ];
      if (notes.length > 0) out.note(`pm: merged ${path ?? 'data.json'}: ${notes.join('; ')}`);
    });

  const hooks = program.command('hooks').description('git hooks that keep .pm/data.json and the database in step');

  hooks
    .command('install')
    .description(
      'install pre-commit (export and stage data.json), post-merge, post-checkout and post-rewrite (take it in); existing hooks keep running first',
    )
    .addHelpText('after', example('pm hooks install'))
    .action(() => installGitHooks(session));

  hooks
    .command('uninstall')
    .description("remove pm's hooks and put back exactly the hooks that were there before")
    .addHelpText('after', example('pm hooks uninstall'))
    .action(async () => {
      const ws = await session.workspace({ sync: 'off' });
      const root = workTree(ws.paths.root);
      if (!root) throw new StateError('locked', `${ws.paths.root} is not inside a git work tree`);
      for (const change of uninstallHooks(root)) {
        if (change.action !== 'absent') out.line(`${change.action} ${relative(session.io.cwd, change.path)}`);
      }
    });

  hooks
    .command('run', { hidden: true })
    .description('what the installed hooks call')
    .argument('<hook>', PM_HOOKS.join(' | '))
    .argument('[args...]', "git's arguments to the hook")
    .action(async (hook: string, args: string[]) => {
      await runHook(session, hook as PmHook, args);
    });
}

/**
 * pre-commit exports and stages .pm/data.json (and nothing else) when the database has
 * changes the file lacks; the others take in the file when git changed it.
 */
async function runHook(session: Session, hook: PmHook, args: readonly string[]): Promise<void> {
  session.autoExport = false;
  if (hook === 'post-checkout' && args[2] !== '1') return; // a file checkout, not a branch switch
  if (hook !== 'pre-commit') {
    await session.workspace();
    return;
  }
  const ws = await session.workspace({ sync: 'strict' });
  const root = workTree(ws.paths.root);
  // A background export under way may leave the file current: it is waited for, not repeated.
  if (isTracked(root, ws.paths.snapshot)) await exportPending(ws.store, ws.paths);
  else await exportSnapshot(ws.store, ws.paths);
  if (!root) return;
  const ignored = ignoredBy(root, ws.paths.snapshot);
  // Adding an ignored file fails, and with it every commit: say why it is left out instead.
  if (ignored) session.out.note(`${session.out.c.yellow('warning:')} pm: ${notCommitted(ignored)}`);
  else git(root, ['add', '--', ws.paths.snapshot]);
}

function isTracked(root: string | undefined, file: string): boolean {
  if (!root) return true;
  try {
    git(root, ['ls-files', '--error-unmatch', '--', file]);
    return true;
  } catch {
    return false;
  }
}
