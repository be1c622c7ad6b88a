import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import type { RawConnection } from '../../src/sync/index.js';
import { boundPm } from './cli.js';
import { tempDir } from './temp.js';

/**
 * The real Redmine the sync tests run against (started by ../shared/peers/redmine/start.sh,
 * which writes /tmp/redmine.env). Each test gets a project of its own, deleted afterwards.
 */
export interface RedminePeer {
  url: string;
  apiKey: string;
}

export function redminePeer(): RedminePeer {
  let url = process.env.REDMINE_URL;
  let apiKey = process.env.REDMINE_API_KEY;
  if (!url || !apiKey) {
    const file = process.env.REDMINE_ENV_FILE ?? '/tmp/redmine.env';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`no Redmine to test against: start it with ../shared/peers/redmine/start.sh (it writes ${file})`);
    }
    url = /^REDMINE_URL=(.*)$/m.exec(text)?.[1]?.trim();
    apiKey = /^REDMINE_API_KEY=(.*)$/m.exec(text)?.[1]?.trim();
  }
  if (!url || !apiKey) throw new Error('REDMINE_URL / REDMINE_API_KEY missing from the Redmine env file');
  return { url, apiKey };
}

export interface Issue {
  id: number;
  subject: string;
  description: string | null;
  tracker: { id: number; name: string };
  status: { id: number; name: string };
  priority: { id: number; name: string };
  parent?: { id: number };
  fixed_version?: { id: number; name: string };
  custom_fields?: { id: number; name: string; value: string | null }[];
  updated_on: string;
  journals?: { id: number; notes: string | null; user: { id: number } }[];
  relations?: { id: number; issue_id: number; issue_to_id: number; relation_type: string }[];
}

export interface TimeEntry {
  id: number;
  issue?: { id: number };
  hours: number;
  spent_on: string;
  comments: string;
  custom_fields?: { id: number; name: string; value: string | null }[];
}

/** Redmine's REST API, for setting up and checking the remote side of a test. */
export class RedmineApi {
  constructor(readonly peer: RedminePeer = redminePeer()) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.peer.url}${path}`, {
      method,
      headers: { 'X-Redmine-API-Key': this.peer.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async createProject(identifier: string): Promise<{ id: number; identifier: string }> {
    const { project } = await this.ok<{ project: { id: number; identifier: string } }>('POST', '/projects.json', {
      project: { name: identifier, identifier, is_public: false },
    });
    return project;
  }

  async deleteProject(identifier: string): Promise<void> {
    await this.call('DELETE', `/projects/${identifier}.json`);
  }

  async issues(project: string): Promise<Issue[]> {
    const all: Issue[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.ok<{ issues: Issue[]; total_count: number }>(
        'GET',
        `/issues.json?project_id=${project}&status_id=*&sort=id&limit=100&offset=${offset}`,
      );
      all.push(...page.issues);
      if (page.issues.length < 100) return all;
    }
  }

  async issue(id: number): Promise<Issue | undefined> {
    const answer = await this.call<{ issue: Issue }>('GET', `/issues/${id}.json?include=journals,relations`);
    return answer.status === 404 ? undefined : answer.body.issue;
  }

  async timeEntries(project: string): Promise<TimeEntry[]> {
    return (await this.ok<{ time_entries: TimeEntry[] }>('GET', `/time_entries.json?project_id=${project}&limit=100`))
      .time_entries;
  }

  async versions(project: string): Promise<{ id: number; name: string; status: string }[]> {
    return (
      await this.ok<{ versions: { id: number; name: string; status: string }[] }>('GET', `/projects/${project}/versions.json`)
    ).versions;
  }

  async createIssue(project: string, fields: Record<string, unknown>): Promise<Issue> {
    return (await this.ok<{ issue: Issue }>('POST', '/issues.json', { issue: { project_id: project, ...fields } })).issue;
  }

  async updateIssue(id: number, fields: Record<string, unknown>): Promise<void> {
    await this.ok('PUT', `/issues/${id}.json`, { issue: fields });
  }

  async deleteIssue(id: number): Promise<void> {
    await this.ok('DELETE', `/issues/${id}.json`);
  }

  /** The pm id an issue or time entry carries. */
  static pmId(record: { custom_fields?: { name: string; value: string | null }[] }): string | null {
    return record.custom_fields?.find((f) => f.name === 'pm id')?.value || null;
  }
}

const projects: string[] = [];
afterAll(async () => {
  const api = new RedmineApi();
  for (const identifier of projects.splice(0)) await api.deleteProject(identifier);
});

/** A Redmine project of this test's own, deleted when the file's tests finish. */
export async function redmineProject(api: RedmineApi, prefix = 't'): Promise<string> {
  const identifier = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 9)}`;
  await api.createProject(identifier);
  projects.push(identifier);
  return identifier;
}

export interface SyncFixture {
  dir: string;
  api: RedmineApi;
  /** The Redmine project identifier. */
  project: string;
  pm: ReturnType<typeof boundPm>;
  env: Record<string, string>;
}

/**
 * A pm repository with project WEB connected to a fresh Redmine project (through `url`, e.g. a
 * fault proxy, when given), the key in PM_REDMINE_API_KEY.
 */
export async function syncFixture(
  options: { url?: string; strategy?: string; env?: Record<string, string>; connect?: string[] } = {},
): Promise<SyncFixture> {
  const api = new RedmineApi();
  const project = await redmineProject(api);
  const dir = tempDir('pm-sync-');
  const env = { PM_REDMINE_API_KEY: api.peer.apiKey, ...options.env };
  const pm = boundPm(dir, env);
  await pm.ok(['init']);
  await pm.ok(['project', 'add', 'WEB', 'Website']);
  await pm.ok([
    'connect',
    'redmine',
    '--url',
    options.url ?? api.peer.url,
    '--project',
    project,
    ...(options.strategy ? ['--strategy', options.strategy] : []),
    ...(options.connect ?? []),
  ]);
  return { dir, api, project, pm, env };
}

/** A fixture's connection as the engine takes it (the real Redmine, project WEB), with more settings. */
export function connectionSettings(f: SyncFixture, more: Record<string, unknown> = {}): RawConnection {
  return {
    name: 'redmine',
    kind: 'redmine',
    settings: { url: f.api.peer.url, project: f.project, pm_project: 'WEB', workers: 1, rate_limit: 0, ...more },
    secret: f.api.peer.apiKey,
    source: 'test',
  };
}
