import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { generateDataset, loadDataset, recordCount, type Dataset } from './generate.js';
import { PM_BIN, figure, processMedianMs, timed, type Figure } from './lib.js';

/** pm core (issue 2): loading the data set, and whole-process times of everyday commands. */
export async function coreBench(workdir: string, data: Dataset, options: { loadOnly?: boolean } = {}): Promise<Figure[]> {
  const env = { ...process.env, PM_ACTOR: 'bench@example.com', NO_COLOR: '1', COLUMNS: '160' };
  const init = spawnSync(process.execPath, [PM_BIN, 'init'], { cwd: workdir, env });
  if (init.status !== 0) throw new Error(init.stderr.toString());

  const store = await openStore(join(workdir, '.pm', 'data.db'));
  const load = await timed(() => loadDataset(store, data));
  await store.close();
  const records = recordCount(data);
  if (options.loadOnly) return [];

  const project = data.projects[0]!.key;
  const node = [process.execPath];
  const pm = (...args: string[]) => [process.execPath, PM_BIN, ...args];
  const run = (argv: string[]) => processMedianMs(argv, { cwd: workdir, env });
  const nodeStart = run([...node, '-e', '0']);
  return [
    figure('core: load 100k data set through the store', load.ms / 1000, 's', {}),
    figure('core: load rate', records / (load.ms / 1000), 'records/s'),
    figure('core: pm --version', run(pm('--version')), 'ms', { floor: nodeStart, target: '≤ 80 ms' }),
    figure('core: pm item list --project KEY --limit 50', run(pm('item', 'list', '--project', project, '--limit', '50')), 'ms', {
      floor: nodeStart,
      target: '≤ 150 ms',
    }),
    figure('core: pm item show KEY-N', run(pm('item', 'show', `${project}-5000`)), 'ms', {
      floor: nodeStart,
      target: '≤ 150 ms',
    }),
    figure('core: pm board (sprint of 200 items)', run(pm('board', '--project', project, '--sprint', 'Sprint 1')), 'ms', {
      floor: nodeStart,
    }),
    figure('core: pm ready --project KEY', run(pm('ready', '--project', project, '--limit', '20')), 'ms', { floor: nodeStart }),
  ];
}

export { generateDataset };
