import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initWorkspace, pmRun } from './floors.js';
import { PM_BIN, figure, processMediansMs, type Figure } from './lib.js';

/**
 * What auto-export adds to an everyday write: `pm item add` and `pm item edit` on the data set,
 * with `auto_export` on (each patches .pm/data.json) against the same command with it off,
 * run in turns in two copies of the loaded database. Auto-export's share (on − off) is also
 * read against what the file system charges any atomic rewrite of data.json, flushed or not:
 * a patch that never tears the file writes a new one whole (ext4 has no reflink).
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
  // What the file system asks of any atomic rewrite of the file: a process that copies it,
  // flushes the copy and renames it over another copy, less the process itself.
  copyFileSync(join(on, '.pm', 'data.json'), join(workdir, 'replaced.json'));
  const replace = (flush: boolean) => [
    process.execPath,
    '-e',
    REPLACE,
    join(on, '.pm', 'data.json'),
    join(workdir, 'replaced.json'),
    String(flush),
  ];
  const bare = [process.execPath, '-e', '0'];
  const [addOn, addOff, replaceMs, unflushedMs, bareMs] = processMediansMs([add, add, replace(true), replace(false), bare], {
    cwd: [on, off, workdir, workdir, workdir],
    env,
    runs: 9,
  });
  const [editOn, editOff] = processMediansMs([edit, edit], { cwd: [on, off], env, runs: 9 });
  const floorName = 'the same command with auto_export off';
  return [
    figure('export: pm item add, auto_export patching data.json', addOn!, 'ms', { value: addOff!, name: floorName }),
    figure('export: pm item edit, auto_export patching data.json', editOn!, 'ms', { value: editOff!, name: floorName }),
    figure("export: auto-export's share of pm item add (on − off)", addOn! - addOff!, 'ms', {
      value: replaceMs! - bareMs!,
      name: 'copying data.json, fsync and rename over a copy (a process, less node -e 0)',
    }),
    figure('export: the same share, against a copy not flushed', addOn! - addOff!, 'ms', {
      value: unflushedMs! - bareMs!,
      name: 'copying data.json and rename over a copy, no fsync (a process, less node -e 0)',
    }),
  ];
}

/** Copies argv[1] to a temporary file beside argv[2], flushes it (argv[3] 'true') and renames it over argv[2]. */
const REPLACE = [
  "const fs = require('node:fs');",
  'const [from, to, flush] = process.argv.slice(1);',
  "const temp = to + '.tmp';",
  'fs.copyFileSync(from, temp);',
  "if (flush === 'true') { const fd = fs.openSync(temp, 'r'); fs.fsyncSync(fd); fs.closeSync(fd); }",
  'fs.renameSync(temp, to);',
].join(' ');

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
