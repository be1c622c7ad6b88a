// The floor of an import into PostgreSQL: read the file, JSON.parse each record line, then in
// one transaction per table COPY the records into a staging table and merge it into pm's table
// with one INSERT … SELECT … ON CONFLICT (nothing for `insert`, every column for `upsert`),
// foreign keys checked at commit. The plainest fast way STACK.md names for PostgreSQL.
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const [file, url, mode, usageFile] = process.argv.slice(2);
const target = new URL(url);
const schema = target.searchParams.get('schema') ?? 'public';
target.searchParams.delete('schema');

const tables = new Map();
let table;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const t = line.trim();
  const open = /^"([a-z_]+)": \[$/.exec(t);
  if (open) table = open[1];
  if (!t.startsWith('{"id"')) continue;
  const record = JSON.parse(t.endsWith(',') ? t.slice(0, -1) : t);
  if (!tables.has(table)) tables.set(table, []);
  tables.get(table).push(record);
}

const field = (v) =>
  v === null
    ? '\\N'
    : typeof v === 'boolean'
      ? v
        ? '1'
        : '0'
      : typeof v === 'object'
        ? JSON.stringify(v).replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c])
        : String(v).replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]);

const client = new pg.Client({ connectionString: target.toString(), options: `-c search_path=${schema}` });
await client.connect();
const t0 = process.hrtime.bigint();
await client.query('begin');
await client.query('set constraints all deferred');
for (const [name, records] of tables) {
  const columns = Object.keys(records[0]);
  const names = columns.map((c) => `"${c}"`).join(', ');
  await client.query(`create temporary table stage_${name} (like ${name} including defaults) on commit drop`);
  function* text() {
    let chunk = '';
    for (const r of records) {
      chunk += `${columns.map((c) => field(r[c])).join('\t')}\n`;
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(text()), client.query(copyFrom(`copy stage_${name} (${names}) from stdin`)));
  const update = columns
    .filter((c) => c !== 'id')
    .map((c) => `"${c}" = excluded."${c}"`)
    .join(', ');
  await client.query(
    `insert into ${name} (${names}) select ${names} from stage_${name} on conflict (id) do ${mode === 'upsert' ? `update set ${update}` : 'nothing'}`,
  );
}
await client.query('commit');
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
await client.end();
// The file's reading and parsing count too, as in the SQLite floor: timed whole by the caller.
writeFileSync(usageFile, JSON.stringify({ max_rss_kb: process.resourceUsage().maxRSS, copy_ms: ms }));
