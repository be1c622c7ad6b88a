// The reference operations of ../shared/STACK.md ("Floors: what the machine itself can do"),
// timed again on this machine now: 100,000 work items of ~700 B, median of 3 each. Prints JSON.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from './sqlite.mjs';

const N = 100_000;
const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
const items = Array.from({ length: N }, (_, i) => ({
  id: `019a3e6e-3000-797d-a284-${String(i).padStart(12, '0')}`,
  project_id: '019a3e6e-3000-797d-a284-9d73eb438a90',
  parent_id: null,
  item_type: 'task',
  item_number: i + 1,
  title: WORDS.map((_, j) => WORDS[(i + j) % WORDS.length]).join(' '),
  description: WORDS.join(' ').repeat(3).slice(0, 145),
  status: 'todo',
  priority: 'high',
  position: i,
  story_points: 3,
  assignee_id: 'bob@example.com',
  sprint_id: null,
  version: 1,
  created_by: 'dana@example.com',
  updated_by: 'dana@example.com',
  created_at: '2025-11-01T08:00:00.000Z',
  updated_at: '2025-11-01T08:00:00.000Z',
  deleted_at: null,
}));
const columns = Object.keys(items[0]);

function median3(fn) {
  const times = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[1];
}

const dir = mkdtempSync(join(tmpdir(), 'pm-reference-'));
try {
  const file = join(dir, 'items.json');
  const stringifyWrite = median3(() => writeFileSync(file, JSON.stringify(items, null, 2)));
  const mib = readFileSync(file).length / 1048576;
  const readParse = median3(() => JSON.parse(readFileSync(file, 'utf8')));
  const sqliteInsert = median3(() => {
    const path = join(dir, `items-${Math.random()}.db`);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`create table work_items (${columns.map((c) => (c === 'id' ? 'id text primary key' : `"${c}"`)).join(', ')})`);
    const insert = db.prepare(`insert into work_items values (${columns.map(() => '?').join(', ')})`);
    db.exec('begin');
    for (const item of items) insert.run(columns.map((c) => item[c]));
    db.exec('commit');
    db.close();
  });
  process.stdout.write(`${JSON.stringify({ mib, stringifyWrite, readParse, sqliteInsert })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
