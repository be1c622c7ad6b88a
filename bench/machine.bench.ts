import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { figure, type Figure } from './lib.js';

/** What ../shared/STACK.md recorded for its reference operations on this workplace's machines (checked 2026-11-21). */
const RECORDED = { stringifyWrite: 350, readParse: 230, sqliteInsert: 375 } as const;
const STACK_MD = 'STACK.md, 2026-11-21';

interface Reference {
  mib: number;
  stringifyWrite: number;
  readParse: number;
  sqliteInsert: number;
}

/**
 * The machine's pace today, as context for every other figure: STACK.md's reference operations
 * timed again in this run, each against what STACK.md recorded. Timings here swing 2–3× from
 * day to day, which is why every other figure is read against a floor timed in the same run.
 */
export function machineBench(): Figure[] {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'floors', 'reference.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/floors/reference.mjs failed: ${r.stderr}`);
  const now = JSON.parse(r.stdout) as Reference;
  const recorded = (key: keyof typeof RECORDED) => ({ value: RECORDED[key], name: STACK_MD });
  return [
    figure(
      `machine: JSON.stringify + write, 100k items, ${now.mib.toFixed(1)} MiB`,
      now.stringifyWrite,
      'ms',
      recorded('stringifyWrite'),
    ),
    figure('machine: read + JSON.parse of that file', now.readParse, 'ms', recorded('readParse')),
    figure('machine: SQLite insert of the 100k, one transaction', now.sqliteInsert, 'ms', recorded('sqliteInsert')),
  ];
}
