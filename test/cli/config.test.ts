import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { boundPm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;
const configText = () => readFileSync(join(dir, '.pm', 'config.toml'), 'utf8');

beforeEach(async () => {
  dir = tempDir();
  cli = boundPm(dir);
  await cli.ok(['init']);
});

describe('pm config', () => {
  it('sets settings in place, keeping the comments, and gets them back typed', async () => {
    const before = configText();
    expect((await cli.ok(['config', 'set', 'default_project', 'WEB'])).stdout).toBe('Set default_project = "WEB"\n');
    await cli.ok(['config', 'set', 'sync.auto_export', 'false']);
    await cli.ok(['config', 'set', 'workflow.done_statuses', '["done", "wontfix"]']);
    await cli.ok(['config', 'set', 'server.max_import_mb', '64']);
    await cli.ok(['config', 'set', 'aliases.mine', 'item list --assignee me']);
    const after = configText();
    // Every comment line of the file pm wrote is still there (the commented default_project example became the setting).
    const comments = (text: string) =>
      text.split('\n').filter((l) => l.startsWith('#') && !/^# (default_project|max_import_mb|mine) =/.test(l));
    expect(comments(after)).toEqual(comments(before));
    expect(after).toMatch(/^default_project = "WEB"$/m);
    expect(after).toMatch(/^\[sync\][^[]*^auto_export = false$/m);
    expect(after).toMatch(/^\[aliases\][^[]*^mine = "item list --assignee me"$/m);
    expect((await cli.ok(['config', 'get', 'default_project'])).stdout).toBe('WEB\n');
    expect((await cli.ok(['config', 'get', 'sync.auto_export'])).stdout).toBe('false\n');
    expect(await cli.json(['config', 'get', 'workflow.done_statuses'])).toEqual(['done', 'wontfix']);
    expect(await cli.json(['config', 'get', 'server.max_import_mb'])).toBe(64);
    const unset = await cli.ok(['config', 'get', 'server.require_token']);
    expect([unset.stdout, unset.stderr]).toEqual(['', 'server.require_token is not set\n']);
  });

  it('refuses unknown keys, whole tables and values the key does not take, naming the key, and leaves the file alone', async () => {
    const before = configText();
    const cases: [string[], RegExp][] = [
      [
        ['set', 'defualt_project', 'WEB'],
        /defualt_project: no such setting; the settings are .*default_project, sync\.auto_export/,
      ],
      [['get', 'sync.auto_exprot'], /sync\.auto_exprot: no such setting/],
      [['set', 'sync', 'false'], /sync: a table: set one of its keys \(sync\.auto_export, sync\.background_export_mb\)/],
      [['set', 'sync.auto_export', 'sometimes'], /sync\.auto_export: expected boolean/],
      [['set', 'server.max_import_mb', '0'], /server\.max_import_mb: must be/],
      [['set', 'workflow.done_statuses', '[]'], /workflow\.done_statuses: /],
      [['set', 'aliases.a b', 'item list'], /aliases\.a b: no such setting/],
    ];
    for (const [args, message] of cases) {
      const r = await cli.run(['config', ...args]);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
    expect(configText()).toBe(before);
  });

  it('refuses to set a value written over several lines, and leaves the file valid', async () => {
    const file = join(dir, '.pm', 'config.toml');
    const text = configText().replace('done_statuses = ["done"]', 'done_statuses = [\n  "done",\n]');
    writeFileSync(file, text);
    const r = await cli.run(['config', 'set', 'workflow.done_statuses', '["done", "wontfix"]']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('workflow.done_statuses: cannot set it in')]);
    expect(configText()).toBe(text);
    expect(await cli.json(['config', 'get', 'workflow.done_statuses'])).toEqual(['done']);
  });
});
