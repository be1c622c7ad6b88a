import { AuthError, ValidationError } from '../../../domain/index.js';
import { connectorHttp, type ConnectorSettings, type HttpClient, type ResponseHeaders } from '../sdk/index.js';
import type { RedmineSettings } from './index.js';

/** The custom field (on issues and time entries) that holds pm's id: creates are never repeated. */
export const PM_ID_FIELD = 'pm id';
const PAGE = 100;

export interface Named {
  id: number;
  name: string;
}
export interface CustomValue {
  id: number;
  name: string;
  value: unknown;
}
export interface Issue {
  id: number;
  project: Named;
  tracker: Named;
  status: Named & { is_closed?: boolean };
  priority: Named;
  parent?: { id: number };
  fixed_version?: Named;
  subject: string;
  description: string | null;
  custom_fields?: CustomValue[];
  updated_on: string;
  journals?: Journal[];
  relations?: Relation[];
}
export interface Journal {
  id: number;
  user: Named;
  notes: string | null;
  created_on: string;
}
export interface Relation {
  id: number;
  issue_id: number;
  issue_to_id: number;
  relation_type: string;
}
export interface Version {
  id: number;
  project: Named;
  name: string;
  description: string | null;
  due_date: string | null;
  status: string;
  updated_on?: string;
}
export interface TimeEntryJson {
  id: number;
  issue?: { id: number };
  user: Named;
  hours: number;
  spent_on: string;
  comments: string | null;
  custom_fields?: CustomValue[];
  updated_on?: string;
}

/** Ids pm reads once per run: the project, the account, trackers, statuses, the pm id fields. */
export interface Lookups {
  projectId: number;
  userId: number;
  trackers: Map<string, number>;
  statuses: Map<string, number>;
  closed: Set<string>;
  priorities: Map<string, number>;
  activityId: number;
  issueField: number;
  timeField: number;
}

/** `{"errors": […]}` as one line, or '' when the body says nothing readable. */
export function errorsOf(body: unknown): string {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors.map(String).join('; ') : '';
}

/** Redmine's REST API as the resources use it: JSON calls, pages, look-ups, issues with their details. */
export class RedmineApi {
  readonly http: HttpClient;
  private lookups: Lookups | undefined;
  /** Journals read with an issue's relations, kept for the comments listing that follows in the run. */
  private readonly journals = new Map<number, Journal[]>();

  constructor(readonly settings: ConnectorSettings<RedmineSettings>) {
    this.http = connectorHttp(settings, {
      headers: { 'X-Redmine-API-Key': settings.secret, Accept: 'application/json' },
      describeError: errorsOf,
    });
  }

  get base(): string {
    return this.settings.url.replace(/\/+$/, '');
  }

  get ready(): boolean {
    return this.lookups !== undefined;
  }

  get l(): Lookups {
    if (!this.lookups) throw new Error('the Redmine connector must be prepared first');
    return this.lookups;
  }

  async json<T>(path: string, onHeaders?: (headers: ResponseHeaders) => void): Promise<T> {
    const answer = await this.http.request({ method: 'GET', path });
    onHeaders?.(answer.headers);
    return answer.body as T;
  }

  async prepare(): Promise<void> {
    if (this.lookups) return;
    const [me, projectJson, trackers, statuses, priorities, activities] = await Promise.all([
      this.json<{ user: { id: number } }>('/users/current.json'),
      this.json<{ project: { id: number } }>(`/projects/${encodeURIComponent(this.settings.project)}.json`),
      this.json<{ trackers: Named[] }>('/trackers.json'),
      this.json<{ issue_statuses: (Named & { is_closed: boolean })[] }>('/issue_statuses.json'),
      this.json<{ issue_priorities: Named[] }>('/enumerations/issue_priorities.json'),
      this.json<{ time_entry_activities: (Named & { is_default: boolean })[] }>('/enumerations/time_entry_activities.json'),
    ]);
    const fields = await this.http.request({ method: 'GET', path: '/custom_fields.json', accept: [403] });
    if (fields.status === 403)
      throw new AuthError(
        'forbidden',
        `pm needs to read Redmine's custom fields to find "${PM_ID_FIELD}": use an administrator's API key`,
      );
    const custom = (fields.body as { custom_fields: { id: number; name: string; customized_type: string }[] }).custom_fields;
    const field = (type: string) => custom.find((f) => f.name === PM_ID_FIELD && f.customized_type === type)?.id;
    const issueField = field('issue');
    const timeField = field('time_entry');
    if (issueField === undefined || timeField === undefined) {
      throw new ValidationError([
        {
          path: 'custom_fields',
          message: `Redmine needs a text custom field named "${PM_ID_FIELD}" for issues and one for time entries (see docs/redmine.md)`,
        },
      ]);
    }
    const activity =
      activities.time_entry_activities.find((a) => a.name === this.settings.options.activity) ??
      activities.time_entry_activities.find((a) => a.is_default) ??
      activities.time_entry_activities[0];
    if (!activity)
      throw new ValidationError([{ path: 'activity', message: 'Redmine has no time entry activity to log time with' }]);
    this.lookups = {
      projectId: projectJson.project.id,
      userId: me.user.id,
      trackers: new Map(trackers.trackers.map((t) => [t.name, t.id])),
      statuses: new Map(statuses.issue_statuses.map((s) => [s.name, s.id])),
      closed: new Set(statuses.issue_statuses.filter((s) => s.is_closed).map((s) => s.name)),
      priorities: new Map(priorities.issue_priorities.map((p) => [p.name, p.id])),
      activityId: activity.id,
      issueField,
      timeField,
    };
  }

  /** Every page of a Redmine list (at most 100 a page). */
  async *pages<T>(path: string, key: string, onHeaders?: (headers: ResponseHeaders) => void): AsyncGenerator<T> {
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.json<Record<string, unknown> & { total_count?: number }>(
        `${path}${path.includes('?') ? '&' : '?'}limit=${PAGE}&offset=${offset}`,
        onHeaders,
      );
      const rows = (page[key] as T[] | undefined) ?? [];
      yield* rows;
      if (rows.length < PAGE || (page.total_count !== undefined && offset + PAGE >= page.total_count)) return;
    }
  }

  /**
   * Issues changed since a time, oldest change first. Each page starts again from the last
   * second seen (`>=`, whole seconds) instead of an offset into a list that moves: an issue
   * changed during the scan goes to the end and is listed again, and none is skipped.
   */
  async *changedIssues(since: string, onHeaders?: (headers: ResponseHeaders) => void): AsyncGenerator<Issue> {
    const l = this.l;
    let from = `${since.slice(0, 19)}Z`;
    let skip = 0;
    const seen = new Set<string>();
    for (;;) {
      const path = `/issues.json?project_id=${l.projectId}&status_id=*&updated_on=${encodeURIComponent(`>=${from}`)}&sort=updated_on:asc,id:asc&limit=${PAGE}&offset=${skip}`;
      const rows = (await this.json<{ issues: Issue[] }>(path, onHeaders)).issues;
      for (const issue of rows) {
        const version = `${issue.id}@${issue.updated_on}`;
        if (seen.has(version)) continue;
        seen.add(version);
        yield issue;
      }
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!.updated_on;
      if (last === from) skip += rows.length;
      else {
        skip = rows.filter((r) => r.updated_on === last).length;
        from = last;
      }
    }
  }

  /** An issue with its journals and relations (the only way Redmine gives them), or null when it is gone. */
  async issueWithDetails(issueId: string | number): Promise<Issue | null> {
    const answer = await this.http.request({
      method: 'GET',
      path: `/issues/${String(issueId)}.json?include=journals,relations`,
      accept: [404],
    });
    return answer.status === 404 ? null : (answer.body as { issue: Issue }).issue;
  }

  /** An issue's relations; its journals are kept for `takeJournals`, so a run reads each issue once. */
  async relationsOf(issueId: number): Promise<Relation[] | null> {
    const issue = await this.issueWithDetails(issueId);
    if (!issue) return null;
    this.journals.set(issueId, issue.journals ?? []);
    return issue.relations ?? [];
  }

  async takeJournals(issueId: number): Promise<Journal[] | null> {
    const kept = this.journals.get(issueId);
    this.journals.delete(issueId);
    if (kept) return kept;
    const issue = await this.issueWithDetails(issueId);
    return issue ? (issue.journals ?? []) : null;
  }

  pmIdOf(fields: CustomValue[] | undefined, fieldId: number): string | null {
    const value = fields?.find((f) => f.id === fieldId)?.value;
    return typeof value === 'string' && value !== '' ? value : null;
  }
}
