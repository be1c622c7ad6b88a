import { relative } from 'node:path';
import { StateError } from '../domain/index.js';
import { installHooks, registerMergeDriver, workTree } from '../sync/index.js';
import type { WorkspacePaths } from '../workspace/index.js';
import type { Session } from './session.js';

/** How git should call pm back: `pm` when it is on the PATH, else this very executable. */
export function pmCommand(session: Session): string {
  try {
    process
      .getBuiltinModule('node:child_process')
      .execFileSync('sh', ['-c', 'command -v pm'], { stdio: 'ignore', env: session.io.env });
    return 'pm';
  } catch {
    const bin = session.io.bin ?? 'pm';
    return `'${bin.replace(/'/g, `'\\''`)}'`;
  }
}

/** Registers the merge driver for a workspace inside a git work tree; says what changed. */
export function setUpGit(session: Session, paths: WorkspacePaths): string[] {
  const root = workTree(paths.root);
  if (!root) return [];
  const changed = registerMergeDriver(root, paths.snapshot, pmCommand(session));
  return [
    ...(changed.attributes
      ? [`added ${relative(session.io.cwd, `${root}/.gitattributes`) || '.gitattributes'}: .pm/data.json merges with pm`]
      : []),
    ...(changed.config ? ["registered the pm merge driver in this clone's git config"] : []),
  ];
}

/** The merge driver and the hooks, for `pm hooks install` and `pm sync init`; says what it did. */
export async function installGitHooks(session: Session): Promise<void> {
  const out = session.out;
  const ws = await session.workspace({ sync: 'off' });
  const root = workTree(ws.paths.root);
  if (!root) throw new StateError('locked', `${ws.paths.root} is not inside a git work tree`);
  for (const note of setUpGit(session, ws.paths)) out.line(note);
  for (const change of installHooks(root, session.io.bin ?? 'pm')) {
    const where = relative(session.io.cwd, change.path);
    out.line(
      change.action === 'chained'
        ? `installed ${where} (your hook runs first; kept as ${where}.pre-pm)`
        : `${change.action} ${where}`,
    );
  }
}
