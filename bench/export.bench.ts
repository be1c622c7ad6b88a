import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initWorkspace, pmRun } from './floors.js';
import { PM_BIN, figure, processMediansMs, type Figure } from './lib.js';

/**
 * What auto-export adds to an everyday write: `pm item add` and `pm item edit` on the data set,
 * with `auto_export` on (each patches .pm/data.json) against the same command with it off,
 * run in turns in two copies of the loaded database.
 */
export function exportBench(workdir: string, loaded: string): Figure[] {
  const on = copyOf(loaded, join(workdir, 'auto-export-on'), true);
  const off = copyOf(loaded, join(workdir, 'auto-export-off'), false);
  const env = { ...process.env, PM_ACTOR: 'bench@example.com', NO_COLOR: '1' };
  const project = 'PA';
  const add = (run: number) => [process.execPath, PM_BIN, 'item', 'add', '--project', project, '--type', 'task', `bench ${run}`];
  const edit = (run: number) => [
    process.execPath,
    PM_BIN,
    'item',
    'edit',
    `${project}-${100 + run * 37}`,
    '--title',
    `edited ${run}`,
  ];
  const [addOn, addOff] = processMediansMs([add, add], { cwd: [on, off], env, runs: 9 });
  const [editOn, editOff] = processMediansMs([edit, edit], { cwd: [on, off], env, runs: 9 });
  const floorName = 'the same command with auto_export off';
  return [
    figure('export: pm item add, auto_export patching data.json', addOn!, 'ms', { value: addOff!, name: floorName }),
    figure('export: pm item edit, auto_export patching data.json', editOn!, 'ms', { value: editOff!, name: floorName }),
  ];
}

/** A workspace holding a copy of the loaded database, its data.json exported, auto_export as asked. */
function copyOf(loaded: string, dir: string, autoExport: boolean): string {
  initWorkspace(dir);
  for (const name of ['data.db', 'data.db-wal']) {
    if (existsSync(join(loaded, '.pm', name))) copyFileSync(join(loaded, '.pm', name), join(dir, '.pm', name));
  }
  const config = join(dir, '.pm', 'config.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^auto_export = .*$/m, `auto_export = ${autoExport}`));
  pmRun(dir, ['sync', 'export']);
  return dir;
}
