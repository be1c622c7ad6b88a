// The floor of an export, as the issue defines it: the same records, already in memory, each
// JSON.stringify'd onto its own line and written to a file. Loading them is not timed.
import { writeFileSync } from 'node:fs';
import { Database } from './sqlite.mjs';

const [dbPath, file, usageFile] = process.argv.slice(2);
const db = new Database(dbPath, { readonly: true });
const tables = ['projects', 'sprints', 'swim_lanes', 'work_items', 'comments', 'dependencies', 'time_entries', 'conflicts'];
const records = tables.map((table) =>
  db
    .prepare(`select * from ${table} order by id`)
    .all()
    .map((row) => {
      delete row.local_seq;
      row.field_updated_at = JSON.parse(row.field_updated_at);
      return row;
    }),
);
db.close();

const t0 = process.hrtime.bigint();
const parts = ['{\n  "schema_version": 1,\n'];
tables.forEach((table, i) => {
  parts.push(
    `  "${table}": [\n${records[i].map((r) => `    ${JSON.stringify(r)}`).join(',\n')}\n  ]${i === tables.length - 1 ? '' : ','}\n`,
  );
});
parts.push('}\n');
writeFileSync(file, parts.join(''));
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
writeFileSync(usageFile, JSON.stringify({ ms, max_rss_kb: process.resourceUsage().maxRSS }));
