import { execFileSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { installHooks, workTree } from '../../sync/index.js';
import { PM_DIR_NAME, initWorkspace } from '../../workspace/index.js';
import { setUpGit } from '../git-setup.js';
import { example } from '../options.js';
import type { Session } from '../session.js';

/** Where `pm init` puts `.pm/`: `PM_DIR`, else the top of the git work tree, else here. */
export function initTarget(cwd: string, env: NodeJS.ProcessEnv): string {
  if (env.PM_DIR) return resolve(cwd, env.PM_DIR);
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (top) return resolve(top, PM_DIR_NAME);
  } catch {
    // not inside a git work tree
  }
  return resolve(cwd, PM_DIR_NAME);
}

export function registerInit(program: Command, session: Session): void {
  const out = session.out;
  program
    .command('init')
    .description('set up pm here: .pm/ with its config, .gitignore and database (safe to run again)')
    .option('--hooks', 'also install the git hooks (see pm hooks install)')
    .addHelpText('after', example('pm init', 'pm init --hooks', 'PM_DIR=/srv/team/.pm pm init'))
    .action(async (opts: { hooks?: boolean }) => {
      const dir = initTarget(session.io.cwd, session.io.env);
      const result = await initWorkspace(dir, session.io.env);
      const git = setUpGit(session, result.paths);
      const shown = relative(session.io.cwd, result.paths.dir) || '.';
      if (result.created.length === 0 && result.updated.length === 0 && git.length === 0) {
        out.line(`pm is already set up in ${shown} (schema version ${result.schema.to}); nothing to do.`);
      } else {
        out.line(result.created.length === 0 ? `pm is set up in ${shown}` : `Initialized pm in ${shown}`);
        for (const file of result.created) out.line(`  created ${relative(session.io.cwd, file)}`);
        for (const file of result.updated)
          out.line(`  updated ${relative(session.io.cwd, file)}: data.json stays tracked even where *.json is ignored`);
        for (const note of git) out.line(`  ${note}`);
      }
      if (!workTree(result.paths.root)) {
        out.note(
          `${out.c.yellow('warning:')} ${shown} is not in a git repository, so nothing travels: .pm/data.json is not ` +
            'versioned with your code and no merge driver or hooks are set up. Run git init, then pm init again.',
        );
      }
      if (opts.hooks && workTree(result.paths.root)) {
        for (const change of installHooks(workTree(result.paths.root)!, session.io.bin ?? 'pm')) {
          out.line(
            `  ${change.action === 'chained' ? 'installed (your hook runs first)' : change.action} ${relative(session.io.cwd, change.path)}`,
          );
        }
      } else if (workTree(result.paths.root) && result.created.length > 0) {
        out.line('\nTo export and take in .pm/data.json on every commit, pull and checkout: pm hooks install');
      }
      // A repository that already had a snapshot (a clone): take it in now.
      await session.workspace();
      if (result.created.length > 0) out.line(`\nNext: pm project add WEB "My project"`);
    });
}
