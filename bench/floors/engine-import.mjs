// SQLite's own share of an import into a new workspace: the rows already encoded in memory
// (read from a loaded database, not timed), then timed: pm's 32-row insert statements into an
// empty database with pm's schema and its secondary indexes dropped, the indexes built again,
// the commit through a rollback journal with FULL sync, as pm's bulk load does. Nothing is read,
// parsed or checked: the storage work alone that an import of the data set asks of SQLite.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Database } from './sqlite.mjs';

const [sourcePath, emptyPath, usageFile] = process.argv.slice(2);
const TABLES = ['projects', 'sprints', 'work_items', 'comments', 'dependencies', 'time_entries'];
const ROWS = 32;

const source = new Database(sourcePath, { readonly: true });
const tables = TABLES.map((name) => {
  const statement = source.prepare(`select * from ${name} order by id`).raw(true);
  return { name, columns: statement.columns().map((c) => c.name), rows: statement.all() };
});
source.close();

const db = new Database(emptyPath);
db.pragma('journal_mode = delete');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = OFF');
const t0 = performance.now();
db.exec('begin immediate');
const indexes = db
  .prepare(
    `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${TABLES.map(() => '?').join(', ')})`,
  )
  .all(...TABLES);
for (const index of indexes) db.exec(`drop index "${index.name}"`);
for (const { name, columns, rows } of tables) {
  const row = `(${columns.map(() => '?').join(', ')})`;
  const into = `insert into ${name} (${columns.map((c) => `"${c}"`).join(', ')}) values`;
  const many = db.prepare(`${into} ${Array(ROWS).fill(row).join(', ')}`);
  const one = db.prepare(`${into} ${row}`);
  const values = [];
  let i = 0;
  for (; i + ROWS <= rows.length; i += ROWS) {
    values.length = 0;
    for (let j = i; j < i + ROWS; j++) values.push(...rows[j]);
    many.run(values);
  }
  for (; i < rows.length; i++) one.run(rows[i]);
}
for (const index of indexes) db.exec(index.sql);
db.exec('commit');
const ms = performance.now() - t0;
db.close();
writeFileSync(usageFile, JSON.stringify({ ms, max_rss_kb: process.resourceUsage().maxRSS }));
