import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { boundPm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** `pm connect KIND`: options from the base settings and the kind's own, checked before anything is written. */

let dir: string;
let cli: ReturnType<typeof boundPm>;
const config = () => readFileSync(join(dir, '.pm', 'config.toml'), 'utf8');

beforeEach(async () => {
  dir = tempDir();
  cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
});

describe('pm connect', () => {
  it('offers every kind, the settings all connections have, and each kind’s own', async () => {
    const help = (await cli.run(['connect', '--help'])).stdout;
    expect(help).toMatch(/tracker kind: redmine, openproject, azure-devops/);
    for (const flag of ['--url', '--project', '--map-status', '--timeout', '--activity', '--team', '--pm-id-field'])
      expect(help).toContain(flag);
    expect(help).toMatch(/--team <name>\s+Azure DevOps:/);
  });

  it('writes a kind’s own settings to config.toml and lists them', async () => {
    await cli.ok([
      'connect',
      'azure-devops',
      '--url',
      'https://dev.azure.com/acme',
      '--project',
      'Website',
      '--team',
      'Web',
      '--workers',
      '3',
    ]);
    expect(config()).toMatch(/\[connections\.azure-devops\]\nkind = "azure-devops"\nurl = "https:\/\/dev\.azure\.com\/acme"/);
    const [listed] = await cli.json<Record<string, unknown>[]>(['connections']);
    expect(listed).toMatchObject({
      name: 'azure-devops',
      kind: 'azure-devops',
      project: 'Website',
      team: 'Web',
      workers: 3,
      key: 'missing',
    });
  });

  it('keeps a batch size, and refuses one under 1', async () => {
    await cli.ok(['connect', 'redmine', '--url', 'https://redmine.example.com', '--project', 'web', '--batch-size', '200']);
    expect(config()).toContain('batch_size = 200');
    expect((await cli.json<Record<string, unknown>[]>(['connections']))[0]).toMatchObject({ batch_size: 200 });
    const bad = await cli.run([
      'connect',
      'redmine',
      '--url',
      'https://redmine.example.com',
      '--project',
      'web',
      '--batch-size',
      '0',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--batch-size');
  });

  it('refuses another kind’s setting, or a bad value, naming the option, and writes nothing', async () => {
    const before = config();
    const foreign = await cli.run([
      'connect',
      'openproject',
      '--url',
      'https://op.example.com',
      '--project',
      'web',
      '--activity',
      'Dev',
    ]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/--activity: a setting of Redmine connections, not of OpenProject ones/);
    const bad = await cli.run([
      'connect',
      'azure-devops',
      '--url',
      'https://dev.azure.com/acme',
      '--project',
      'W',
      '--pm-id-field',
      'pm id',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--pm-id-field: pm_id_field: expected a field reference name, e.g\. Custom\.PmId/);
    const url = await cli.run(['connect', 'redmine', '--url', 'ftp://redmine', '--project', 'web']);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--url: url:/);
    const unknown = await cli.run(['connect', 'jira', '--url', 'https://jira', '--project', 'web']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/expected one of redmine, openproject, azure-devops, got "jira"/);
    expect(config()).toBe(before);
  });

  it('a setting config.toml holds that the kind does not know is named when the connection is used', async () => {
    await cli.ok(['connect', 'openproject', '--url', 'https://op.example.com', '--project', 'web']);
    appendFileSync(join(dir, '.pm', 'config.toml'), 'activty = "Development"\n');
    const run = await cli.run(['sync', 'run'], { PM_OPENPROJECT_API_KEY: 'secret-token' });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/config\.toml: connection openproject: activty: not a setting of OpenProject connections/);
    expect(run.stderr).not.toContain('secret-token');
  });
});
