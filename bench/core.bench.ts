import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { engineShare } from './floors.js';
import { generateDataset, loadDataset, recordCount, type Dataset } from './generate.js';
import { PM_BIN, figure, processMediansMs, timed, type Figure } from './lib.js';

export const NODE_START = 'node -e 0';

/**
 * Everyday commands as whole processes, each timed in turns with `node -e 0`, its floor: 31
 * rounds, as a start-up of some 100 ms moves by a good part of that on a shared machine.
 */
export function commandFigures(
  prefix: string,
  cwd: string,
  commands: readonly (readonly [string, readonly string[]])[],
  env: NodeJS.ProcessEnv,
): Figure[] {
  return commands.map(([name, args]) => {
    const [node, pm] = processMediansMs(
      [
        [process.execPath, '-e', '0'],
        [process.execPath, PM_BIN, ...args],
      ],
      { cwd, env, runs: 31 },
    );
    return figure(`${prefix}${name}`, pm!, 'ms', { value: node!, name: NODE_START });
  });
}

/** pm core: loading the data set through the store, and whole-process times of everyday commands. */
export async function coreBench(workdir: string, data: Dataset, options: { loadOnly?: boolean } = {}): Promise<Figure[]> {
  const env = { ...process.env, PM_ACTOR: 'bench@example.com', NO_COLOR: '1', COLUMNS: '160' };
  const init = spawnSync(process.execPath, [PM_BIN, 'init'], { cwd: workdir, env });
  if (init.status !== 0) throw new Error(init.stderr.toString());

  const database = join(workdir, '.pm', 'data.db');
  const store = await openStore(database);
  const load = await timed(() => loadDataset(store, data));
  await store.close();
  if (options.loadOnly) return [];

  const project = data.projects[0]!.key;
  const inProject = data.work_items.filter((w) => w.project_id === data.projects[0]!.id).length;
  const records = recordCount(data).toLocaleString('en');
  return [
    figure(`core: load the data set through the store (${records} records)`, load.ms / 1000, 's', {
      value: engineShare(database, workdir) / 1000,
      name: "SQLite's own share (rows ready: inserts, indexes, commit)",
    }),
    ...commandFigures(
      'core: ',
      workdir,
      [
        ['pm --version', ['--version']],
        ['pm item list --project KEY --limit 50', ['item', 'list', '--project', project, '--limit', '50']],
        ['pm item show KEY-N', ['item', 'show', `${project}-${Math.min(5000, inProject)}`]],
        ['pm board (sprint of 200 items)', ['board', '--project', project, '--sprint', 'Sprint 1']],
        ['pm ready --project KEY', ['ready', '--project', project, '--limit', '20']],
      ],
      env,
    ),
    // The figures above run from the compile cache the first round fills (src/cli/compile-cache.ts):
    // this is the first run after an install or upgrade.
    ...commandFigures(
      'core: ',
      workdir,
      [['pm item list --project KEY --limit 50, compile cache off', ['item', 'list', '--project', project, '--limit', '50']]],
      { ...env, NODE_DISABLE_COMPILE_CACHE: '1' },
    ),
  ];
}

export { generateDataset };
