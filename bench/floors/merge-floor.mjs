// The floor of a three-way merge of snapshots: read and parse all three files, then per record
// take the side that changed it from the base (both changed: the later updated_at), keep the
// records only one side has, and write the result sorted by id, one record per line. No field-
// level merge, no invariants, no conflict records: the plain work any merge of the files does.
import { readFileSync, writeFileSync } from 'node:fs';

const [basePath, oursPath, theirsPath, outPath, usageFile] = process.argv.slice(2);
const t0 = process.hrtime.bigint();

/** Sections in file order, each a Map of id → [line text, record]. */
function read(path) {
  const sections = new Map();
  let section;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const t = line.trim();
    const open = /^"([a-z_]+)": \[/.exec(t);
    if (open) sections.set(open[1], (section = new Map()));
    if (!t.startsWith('{"id"')) continue;
    const text = t.endsWith(',') ? t.slice(0, -1) : t;
    const record = JSON.parse(text);
    section.set(record.id, [text, record]);
  }
  return sections;
}

const [base, ours, theirs] = [basePath, oursPath, theirsPath].map(read);
const parts = ['{\n  "schema_version": 1,\n'];
const names = [...new Set([...ours.keys(), ...theirs.keys()])];
names.forEach((name, i) => {
  const [b, o, t] = [base.get(name) ?? new Map(), ours.get(name) ?? new Map(), theirs.get(name) ?? new Map()];
  const ids = [...new Set([...o.keys(), ...t.keys()])].sort();
  const lines = ids.map((id) => {
    const [mine, other, was] = [o.get(id), t.get(id), b.get(id)?.[0]];
    if (!mine) return other[0];
    if (!other || other[0] === was) return mine[0];
    if (mine[0] === was) return other[0];
    return other[1].updated_at > mine[1].updated_at ? other[0] : mine[0];
  });
  parts.push(`  "${name}": [\n    ${lines.join(',\n    ')}\n  ]${i === names.length - 1 ? '' : ','}\n`);
});
parts.push('}\n');
writeFileSync(outPath, parts.join(''));
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
writeFileSync(usageFile, JSON.stringify({ ms, max_rss_kb: process.resourceUsage().maxRSS }));
