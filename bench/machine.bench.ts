import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { figure, median, type Figure } from './lib.js';

/**
 * What ../shared/STACK.md recorded for its reference operations on this workplace's machines
 * (checked 2026-11-21), the basis of the issues' absolute targets.
 */
const RECORDED = { stringifyWrite: 350, readParse: 230, sqliteInsert: 375 } as const;

interface Reference {
  mib: number;
  stringifyWrite: number;
  readParse: number;
  sqliteInsert: number;
}

/**
 * The machine's pace today: STACK.md's reference operations timed again in this run. Timings
 * here swing 2–3× from day to day; the ratio tells how to read the absolute targets beside it.
 */
export function machineBench(): Figure[] {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'floors', 'reference.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/floors/reference.mjs failed: ${r.stderr}`);
  const now = JSON.parse(r.stdout) as Reference;
  const ratio = (key: keyof typeof RECORDED) => now[key] / RECORDED[key];
  const mib = now.mib.toFixed(1);
  return [
    figure(
      `machine: JSON.stringify + write, 100k items, ${mib} MiB (STACK.md ${RECORDED.stringifyWrite} ms)`,
      now.stringifyWrite,
      'ms',
    ),
    figure(`machine: read + JSON.parse of that file (STACK.md ${RECORDED.readParse} ms)`, now.readParse, 'ms'),
    figure(`machine: SQLite insert of the 100k, one transaction (STACK.md ${RECORDED.sqliteInsert} ms)`, now.sqliteInsert, 'ms'),
    figure(
      "machine: time taken against STACK.md's (median of the three)",
      median([ratio('stringifyWrite'), ratio('readParse'), ratio('sqliteInsert')]),
      '×',
    ),
  ];
}
