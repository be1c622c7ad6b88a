// The floor of an import: read the file, JSON.parse each record line, insert the same records
// with prepared positional statements into a database with pm's schema, in one transaction.
import { readFileSync, writeFileSync } from 'node:fs';
import { Database } from './sqlite.mjs';

const [file, dbPath, mode, usageFile] = process.argv.slice(2);
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const statements = new Map();
function statement(table, columns) {
  let s = statements.get(table);
  if (!s) {
    const names = columns.map((c) => `"${c}"`).join(', ');
    const update = columns
      .filter((c) => c !== 'id')
      .map((c) => `"${c}" = excluded."${c}"`)
      .join(', ');
    s = db.prepare(
      `insert${mode === 'upsert' ? '' : ' or ignore'} into ${table} (${names}, local_seq) values (${columns.map(() => '?').join(', ')}, 0)${mode === 'upsert' ? ` on conflict (id) do update set ${update}` : ''}`,
    );
    statements.set(table, s);
  }
  return s;
}
const text = readFileSync(file, 'utf8');
db.exec('begin immediate');
db.pragma('defer_foreign_keys = on');
let table;
for (const line of text.split('\n')) {
  const t = line.trim();
  const open = /^"([a-z_]+)": \[$/.exec(t);
  if (open) table = open[1];
  if (!t.startsWith('{"id"')) continue;
  const record = JSON.parse(t.endsWith(',') ? t.slice(0, -1) : t);
  const columns = Object.keys(record);
  const values = columns.map((c) => {
    const v = record[c];
    return typeof v === 'boolean' ? (v ? 1 : 0) : v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  });
  statement(table, columns).run(values);
}
db.exec('commit');
db.close();
const usage = process.resourceUsage();
writeFileSync(usageFile, JSON.stringify({ max_rss_kb: usage.maxRSS }));
