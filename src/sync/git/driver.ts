import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { git } from './git.js';

export const DRIVER_NAME = 'pm';

/**
 * The snapshot merges through pm: `.gitattributes` (tracked, so every clone agrees) names the
 * driver, the repository's own config (not tracked, so each clone runs `pm init` once, or any
 * pm command registers it) says how to run it.
 */
export function registerMergeDriver(root: string, snapshot: string, command: string): { attributes: boolean; config: boolean } {
  const attributes = join(root, '.gitattributes');
  const pattern = relative(root, snapshot).split('\\').join('/');
  const line = `${pattern} merge=${DRIVER_NAME}`;
  const text = existsSync(attributes) ? readFileSync(attributes, 'utf8') : '';
  const hasLine = text.split(/\r?\n/).some((l) => l.trim() === line);
  if (!hasLine) writeFileSync(attributes, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
  const driver = `${command} merge-driver %O %A %B %P`;
  let current = '';
  try {
    current = git(root, ['config', '--local', '--get', `merge.${DRIVER_NAME}.driver`]);
  } catch {
    // not set yet
  }
  if (current !== driver) {
    git(root, ['config', '--local', `merge.${DRIVER_NAME}.name`, 'pm snapshot merge (field by field, no conflict markers)']);
    git(root, ['config', '--local', `merge.${DRIVER_NAME}.driver`, driver]);
  }
  return { attributes: !hasLine, config: current !== driver };
}

/** True when this clone's config already names the driver. */
export function mergeDriverRegistered(root: string): boolean {
  try {
    return git(root, ['config', '--local', '--get', `merge.${DRIVER_NAME}.driver`]) !== '';
  } catch {
    return false;
  }
}
