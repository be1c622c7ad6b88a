import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initWorkspace, pmRun } from './floors.js';
import { PM_BIN, backgroundExportPids, figure, median, processMediansMs, type Figure } from './lib.js';

/**
 * What auto-export adds to an everyday write: `pm item add` and `pm item edit` on the data set,
 * with `auto_export` on against the same command with it off, run in turns in copies of the
 * loaded database. On a file this large pm leaves the export to a process of its own
 * (`background_export_mb`); each such run is followed, untimed, by waiting for that process to
 * end, so it never runs beside the next command, and every run by writing back what it left
 * unflushed, so no command pays for the one before it. The same commands waiting for the export
 * show what it costs: their share (waiting − off) is read against what the file system
 * charges any atomic rewrite of data.json, flushed or not (ext4 has no reflink).
 */
export function exportBench(workdir: string, loaded: string): Figure[] {
  const on = copyOf(loaded, join(workdir, 'auto-export-on'), ['auto_export = true']);
  const waiting = copyOf(loaded, join(workdir, 'auto-export-waiting'), ['auto_export = true', 'background_export_mb = 1048576']);
  const off = copyOf(loaded, join(workdir, 'auto-export-off'), ['auto_export = false']);
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
  const addWaits: number[] = [];
  const [addOn, addOff, addWaiting, replaceMs, unflushedMs, bareMs] = processMediansMs(
    [add, add, add, replace(true), replace(false), bare],
    {
      cwd: [on, off, waiting, workdir, workdir, workdir],
      env,
      runs: 9,
      after: (c, round) => {
        if (c === 0) {
          const waited = waitForBackgroundExport(on);
          if (round > 0) addWaits.push(waited);
        }
        writeBack();
      },
    },
  );
  const [editOn, editOff, editWaiting] = processMediansMs([edit, edit, edit], {
    cwd: [on, off, waiting],
    env,
    runs: 9,
    after: (c) => {
      if (c === 0) waitForBackgroundExport(on);
      writeBack();
    },
  });
  const floorName = 'the same command with auto_export off';
  const share = addWaiting! - addOff!;
  return [
    figure('export: pm item add, auto_export on (data.json written in the background)', addOn!, 'ms', {
      value: addOff!,
      name: floorName,
    }),
    figure('export: pm item edit, auto_export on (data.json written in the background)', editOn!, 'ms', {
      value: editOff!,
      name: floorName,
    }),
    figure('export: pm item add, auto_export on, until data.json is written', addOn! + median(addWaits), 'ms', {
      value: addWaiting!,
      name: 'the same command waiting for the export (background_export_mb above the size)',
    }),
    figure('export: pm item add waiting for the export', addWaiting!, 'ms', { value: addOff!, name: floorName }),
    figure('export: pm item edit waiting for the export', editWaiting!, 'ms', { value: editOff!, name: floorName }),
    figure("export: the export's share of pm item add (waiting − off)", share, 'ms', {
      value: replaceMs! - bareMs!,
      name: 'copying data.json, fsync and rename over a copy (a process, less node -e 0)',
    }),
    figure('export: the same share, against a copy not flushed', share, 'ms', {
      value: unflushedMs! - bareMs!,
      name: 'copying data.json and rename over a copy, no fsync (a process, less node -e 0)',
    }),
  ];
}

/** Waits for the background exports running in `dir` to end; returns how long that took, in ms. */
function waitForBackgroundExport(dir: string): number {
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + 120_000;
  while (backgroundExportPids(dir).length > 0) {
    if (Date.now() > deadline) throw new Error(`a background export in ${dir} still runs after 2 minutes`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Writes dirty pages back to the disk, untimed: a command run while the kernel wrote back the
 * 150 MB an unflushed copy left took 40 ms longer here, and in turns that was always the add
 * with auto_export on.
 */
function writeBack(): void {
  spawnSync('sync');
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

/** A workspace holding a copy of the loaded database, its data.json exported, with `[sync]` set to `settings`. */
function copyOf(loaded: string, dir: string, settings: readonly string[]): string {
  initWorkspace(dir);
  for (const name of ['data.db', 'data.db-wal']) {
    if (existsSync(join(loaded, '.pm', name))) copyFileSync(join(loaded, '.pm', name), join(dir, '.pm', name));
  }
  const config = join(dir, '.pm', 'config.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^auto_export = .*$/m, settings.join('\n')));
  pmRun(dir, ['sync', 'export']);
  return dir;
}
