import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { editSnapshot } from './edit.js';
import { mergeFloor } from './floors.js';
import { PM_BIN, figure, nodeRssFloor, type Figure } from './lib.js';

/**
 * Team sync through git (issue 4): the merge driver on the 100k data set, each side with 1,000
 * records changed (work items, comments, time entries…), a tenth of them the same records as
 * the other side's and some the same field.
 */
export function gitBench(workdir: string, loaded: string): Figure[] {
  const env = { ...process.env, PM_ACTOR: 'bench@example.com' };
  const snapshot = join(loaded, '.pm', 'data.json');
  if (!existsSync(snapshot)) {
    const r = spawnSync(process.execPath, [PM_BIN, 'sync', 'export'], { cwd: loaded, env });
    if (r.status !== 0) throw new Error(r.stderr.toString());
  }
  const base = join(workdir, 'base.json');
  const ours = join(workdir, 'ours.json');
  const theirs = join(workdir, 'theirs.json');
  copyFileSync(snapshot, base);
  const a = editSnapshot(base, ours, {
    every: 250,
    limit: 1000,
    at: '2026-12-01T10:00:00.000Z',
    tag: 'ours',
    itemField: 'title',
  });
  const b = editSnapshot(base, theirs, {
    every: 250,
    offset: 25,
    limit: 900,
    at: '2026-12-01T11:00:00.000Z',
    tag: 'theirs',
    itemField: 'status',
  });
  const overlap = editSnapshot(theirs, theirs, {
    every: 2500,
    limit: 100,
    at: '2026-12-01T11:00:00.000Z',
    tag: 'theirs',
    itemField: 'title',
  });

  copyFileSync(ours, join(workdir, 'ours-before.json')); // the driver writes its result over ours
  const usage = join(workdir, 'rusage.json');
  rmSync(usage, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [PM_BIN, 'merge-driver', base, ours, theirs, '.pm/data.json'], {
    cwd: workdir,
    env: { ...env, PM_RUSAGE_FILE: usage },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`merge driver failed: ${r.stderr}`);
  const rss = (JSON.parse(readFileSync(usage, 'utf8')) as { max_rss_kb: number }).max_rss_kb / 1024;
  const conflicts = /(\d+) decision/.exec(r.stderr)?.[1] ?? '0';
  const plain = mergeFloor(base, join(workdir, 'ours-before.json'), theirs, join(workdir, 'floor.json'), workdir);
  return [
    figure(`git: merge driver, ${a} and ${b + overlap} records changed (${conflicts} same-field decisions)`, ms / 1000, 's', {
      value: plain.ms / 1000,
      name: 'parse all three files, take the changed side per record, write',
    }),
    figure('git: merge driver peak RSS', rss, 'MB', nodeRssFloor()),
    figure('git: merged snapshot size', statSync(ours).size / 1048576, 'MiB', {
      value: statSync(base).size / 1048576,
      name: 'the base snapshot',
    }),
  ];
}
