import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { boundPm, pmProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  dir = tempDir();
  cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
  await cli.ok(['item', 'add', '--type', 'task', 'One']);
  await cli.ok(['item', 'add', '--type', 'task', 'Two']);
});

describe('exporting after every change', () => {
  it('keeps .pm/data.json current after each command that changes data, and only then', async () => {
    const snapshot = join(dir, '.pm', 'data.json');
    expect(readFileSync(snapshot, 'utf8')).toContain('"title":"Two"');
    const before = readFileSync(snapshot, 'utf8');
    await cli.ok(['item', 'list']);
    expect(readFileSync(snapshot, 'utf8')).toBe(before);
    await cli.ok(['item', 'edit', 'WEB-2', '--title', 'Two, edited']);
    expect(readFileSync(snapshot, 'utf8')).toContain('"title":"Two, edited"');
    const status = await cli.json<{ unexported: object; snapshot: { not_taken_in: boolean } }>(['sync', 'status']);
    expect(status).toMatchObject({ unexported: {}, snapshot: { not_taken_in: false } });
  });

  it('can be turned off in config.toml', async () => {
    const config = join(dir, '.pm', 'config.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('auto_export = true', 'auto_export = false'));
    const before = readFileSync(join(dir, '.pm', 'data.json'), 'utf8');
    await cli.ok(['item', 'add', '--type', 'task', 'Three']);
    expect(readFileSync(join(dir, '.pm', 'data.json'), 'utf8')).toBe(before);
    const status = await cli.json<{ unexported: Record<string, number> }>(['sync', 'status']);
    expect(status.unexported).toEqual({ work_items: 1 });
  });
});

describe('taking in .pm/data.json', () => {
  it('happens on the first command of a fresh clone, and again only when the file changes', async () => {
    await cli.ok(['sync', 'export']);
    const clone = tempDir();
    mkdirSync(join(clone, '.pm'));
    for (const f of ['config.toml', 'data.json', '.gitignore']) copyFileSync(join(dir, '.pm', f), join(clone, '.pm', f));
    const c = boundPm(clone);
    const first = await c.ok(['item', 'list', '--json']);
    expect(first.json<{ key: string }[]>().map((i) => i.key)).toEqual(['WEB-1', 'WEB-2']);
    expect(first.stderr).toContain('took in .pm/data.json');
    const second = await c.ok(['item', 'list']);
    expect(second.stderr).toBe('');
    await cli.ok(['item', 'edit', 'WEB-1', '--title', 'Renamed upstream']);
    await cli.ok(['sync', 'export']);
    copyFileSync(join(dir, '.pm', 'data.json'), join(clone, '.pm', 'data.json'));
    const third = await c.ok(['item', 'show', 'WEB-1', '--json']);
    expect(third.json<{ title: string }>().title).toBe('Renamed upstream');
  });

  it('happens before an export, so an export never overwrites what git brought in', async () => {
    await cli.ok(['sync', 'export']);
    const other = tempDir();
    const o = boundPm(other);
    await o.ok(['init']);
    await o.ok(['sync', 'import', join(dir, '.pm', 'data.json')]);
    await o.ok(['item', 'add', '--type', 'task', 'Made elsewhere']);
    await o.ok(['sync', 'export', '-o', join(dir, '.pm', 'data.json')]);
    await cli.ok(['sync', 'export']);
    const titles = (await cli.json<{ title: string }[]>(['item', 'list'])).map((i) => i.title);
    expect(titles).toContain('Made elsewhere');
    expect(readFileSync(join(dir, '.pm', 'data.json'), 'utf8')).toContain('Made elsewhere');
  });

  it('refuses to export over a snapshot it cannot read', async () => {
    await cli.ok(['sync', 'export']);
    writeFileSync(join(dir, '.pm', 'data.json'), '{ broken');
    const r = await cli.run(['sync', 'export']);
    expect(r.code).toBe(7);
    expect(readFileSync(join(dir, '.pm', 'data.json'), 'utf8')).toBe('{ broken');
    const list = await cli.run(['item', 'list']);
    expect(list.code).toBe(0);
    expect(list.stderr).toContain('warning: could not take in .pm/data.json');
  });
});

describe('pm sync export and import', () => {
  it('exports to .pm/data.json, a relative or absolute file, or stdout, all the same bytes', async () => {
    await cli.ok(['sync', 'export']);
    const tracked = readFileSync(join(dir, '.pm', 'data.json'), 'utf8');
    await cli.ok(['sync', 'export', '--output', 'copy.json']);
    expect(readFileSync(join(dir, 'copy.json'), 'utf8')).toBe(tracked);
    const elsewhere = join(tempDir(), 'abs.json');
    await cli.ok(['sync', 'export', '-o', elsewhere]);
    expect(readFileSync(elsewhere, 'utf8')).toBe(tracked);
    const piped = await pmProcess(['sync', 'export', '-o', '-'], { cwd: dir });
    expect(piped.stdout).toBe(tracked);
    const json = await cli.json<{ counts: { work_items: number }; sha256: string }>(['sync', 'export']);
    expect(json.counts.work_items).toBe(2);
    expect(json.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('imports from stdin and prints counts as a table or JSON', async () => {
    await cli.ok(['sync', 'export']);
    const text = readFileSync(join(dir, '.pm', 'data.json'), 'utf8');
    const other = tempDir();
    await boundPm(other).ok(['init']);
    const r = await pmProcess(['sync', 'import', '-'], { cwd: other, stdin: text });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/work_items\s+2\s+0\s+0\s+0/);
    const again = await pmProcess(['sync', 'import', '-', '--json'], { cwd: other, stdin: text });
    expect(again.json<{ counts: { work_items: { unchanged: number } } }>().counts.work_items.unchanged).toBe(2);
  });

  it('refuses a bad file with exit code 7, listing every problem, and changes nothing', async () => {
    await cli.ok(['sync', 'export']);
    const text = readFileSync(join(dir, '.pm', 'data.json'), 'utf8')
      .replace(/"title":"One"/, '"title":""')
      .replace(/"priority":"medium"/g, '"priority":"meh"');
    writeFileSync(join(dir, 'bad.json'), text);
    const r = await cli.run(['sync', 'import', 'bad.json']);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/bad\.json: 3 problems/);
    expect(r.stderr).toMatch(/work_items\[0\]\.title: line \d+: id [0-9a-f-]+: must not be empty/);
    expect(r.stderr.match(/work_items\[\d\]\.priority/g)).toHaveLength(2);
    expect((await cli.json<{ title: string }>(['item', 'show', 'WEB-1'])).title).toBe('One');
  });

  it('imports the valid records with --skip-invalid and writes the rejects with reasons', async () => {
    await cli.ok(['sync', 'export']);
    writeFileSync(
      join(dir, 'bad.json'),
      readFileSync(join(dir, '.pm', 'data.json'), 'utf8').replace('"title":"Two"', '"title":2'),
    );
    const other = tempDir();
    await boundPm(other).ok(['init']);
    const r = await boundPm(other).ok(['sync', 'import', join(dir, 'bad.json'), '--skip-invalid', '--rejects', 'rejects.json']);
    expect(r.stderr).toContain('1 rejected record(s) written to rejects.json');
    const rejects = JSON.parse(readFileSync(join(other, 'rejects.json'), 'utf8')) as {
      rejected: { entity_type: string; issues: { field: string }[] }[];
    };
    expect(rejects.rejected).toEqual([
      expect.objectContaining({ entity_type: 'work_items', issues: [expect.objectContaining({ field: 'title' })] }),
    ]);
    expect((await boundPm(other).json<{ title: string }[]>(['item', 'list'])).map((i) => i.title)).toEqual(['One']);
  });

  it('refuses --replace with unexported changes (exit 5) and allows it with --force', async () => {
    const config = join(dir, '.pm', 'config.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('auto_export = true', 'auto_export = false'));
    await cli.ok(['sync', 'export']);
    await cli.ok(['item', 'add', '--type', 'task', 'Unexported']);
    const r = await cli.run(['sync', 'import', '--replace']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('never exported');
    await cli.ok(['sync', 'import', '--replace', '--force']);
    expect(await cli.json<unknown[]>(['item', 'list'])).toHaveLength(2);
  });

  it('writes nothing on --dry-run', async () => {
    await cli.ok(['sync', 'export', '-o', 'snap.json']);
    const other = tempDir();
    const o = boundPm(other);
    await o.ok(['init']);
    const r = await o.ok(['sync', 'import', join(dir, 'snap.json'), '--dry-run']);
    expect(r.stderr).toContain('dry run: nothing was written');
    expect(await o.json<unknown[]>(['item', 'list'])).toEqual([]);
  });
});

describe('pm sync import --file and --quiet', () => {
  it('reads the file given with --file as it reads the positional one, and refuses two different files', async () => {
    await cli.ok(['sync', 'export', '-o', 'snap.json']);
    const other = tempDir();
    const o = boundPm(other);
    await o.ok(['init']);
    copyFileSync(join(dir, 'snap.json'), join(other, 'snap.json'));
    const r = await o.ok(['sync', 'import', '--file', 'snap.json', '--json']);
    expect(r.json<{ counts: { work_items: { created: number } } }>().counts.work_items.created).toBe(2);
    const two = await o.run(['sync', 'import', 'snap.json', '--file', 'other.json']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--file: two files given: snap.json and --file other.json');
  });

  it('prints nothing on --quiet, yet still prints errors and the JSON asked for', async () => {
    const quietExport = await cli.ok(['sync', 'export', '-o', 'snap.json', '--quiet']);
    expect([quietExport.stdout, quietExport.stderr]).toEqual(['', '']);
    const other = tempDir();
    const o = boundPm(other);
    await o.ok(['init']);
    const quietImport = await o.ok(['sync', 'import', '--file', join(dir, 'snap.json'), '--dry-run', '-q']);
    expect([quietImport.stdout, quietImport.stderr]).toEqual(['', '']);
    const json = await o.ok(['sync', 'import', join(dir, 'snap.json'), '--quiet', '--json']);
    expect(json.json<{ counts: { work_items: { created: number } } }>().counts.work_items.created).toBe(2);
    const missing = await o.run(['sync', 'import', 'missing.json', '--quiet']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('error:');
  });
});

describe('pm connect --every', () => {
  it('keeps how often pm serve syncs a connection, refuses less than a minute, and stops with off', async () => {
    const config = join(dir, '.pm', 'config.toml');
    await cli.ok(['connect', 'redmine', '--url', 'https://redmine.example.com', '--project', 'web', '--every', '15m']);
    expect(readFileSync(config, 'utf8')).toMatch(/^every = "15m"$/m);
    const refused = await cli.run(['connect', 'redmine', '--every', '30s']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--every');
    expect(readFileSync(config, 'utf8')).toMatch(/^every = "15m"$/m);
    await cli.ok(['connect', 'redmine', '--every', 'off']);
    expect(readFileSync(config, 'utf8')).not.toMatch(/^every =/m);
  });
});
