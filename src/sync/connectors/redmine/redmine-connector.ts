import { AuthError, RemoteError, ValidationError, type AnyRecord } from '../../../domain/index.js';
import { HttpClient, errorsOf } from '../sdk/http.js';
import type {
  Connector,
  ConnectorSettings,
  PullOutcome,
  PullScope,
  RemoteRecord,
  SyncedFields,
  SyncedType,
} from '../sdk/connector.js';
import {
  DEFAULT_STATUS_MAP,
  DEFAULT_TYPE_MAP,
  LOCAL_FIELDS,
  PRIORITY_MAP,
  REFERENCES,
  project,
  toLocal,
  type Maps,
} from './mapping.js';

/** The custom field (on issues and time entries) that holds pm's id: creates are never repeated. */
export const PM_ID_FIELD = 'pm id';
const PAGE = 100;

interface Named {
  id: number;
  name: string;
}
interface Issue {
  id: number;
  project: Named;
  tracker: Named;
  status: Named & { is_closed?: boolean };
  priority: Named;
  parent?: { id: number };
  fixed_version?: Named;
  subject: string;
  description: string | null;
  custom_fields?: { id: number; name: string; value: unknown }[];
  updated_on: string;
  journals?: Journal[];
  relations?: Relation[];
}
interface Journal {
  id: number;
  user: Named;
  notes: string | null;
  created_on: string;
}
interface Relation {
  id: number;
  issue_id: number;
  issue_to_id: number;
  relation_type: string;
}
interface Version {
  id: number;
  project: Named;
  name: string;
  description: string | null;
  due_date: string | null;
  status: string;
  updated_on?: string;
}
interface TimeEntryJson {
  id: number;
  issue?: { id: number };
  user: Named;
  hours: number;
  spent_on: string;
  comments: string | null;
  custom_fields?: { id: number; name: string; value: unknown }[];
  updated_on?: string;
}

interface Lookups {
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

/**
 * Redmine through its REST API (see peers/redmine/NOTES.md for the quirks it handles): project ↔
 * project, sprint ↔ version, work item ↔ issue, comment ↔ journal note, dependency ↔ relation,
 * time entry ↔ time entry. Blind spots: journal edits and deletions, and relations, do not move
 * an issue's `updated_on`, so incremental runs see them only on issues that changed for other
 * reasons; full runs look at everything.
 */
export class RedmineConnector implements Connector {
  readonly kind = 'redmine';
  readonly references = REFERENCES;
  readonly localFields = LOCAL_FIELDS;
  private readonly http: HttpClient;
  private lookups: Lookups | undefined;
  private readonly maps: Maps;

  constructor(private readonly settings: ConnectorSettings) {
    this.http = new HttpClient({
      baseUrl: settings.url,
      headers: { 'X-Redmine-API-Key': settings.apiKey, Accept: 'application/json' },
      timeoutMs: settings.timeoutMs ?? 15_000,
      ...(settings.beforeRequest ? { beforeRequest: settings.beforeRequest } : {}),
      ...(settings.retry ? { retry: settings.retry } : {}),
    });
    this.maps = {
      type: { ...DEFAULT_TYPE_MAP, ...settings.mapType },
      status: { ...DEFAULT_STATUS_MAP, ...settings.mapStatus },
      localStatuses: settings.localStatuses,
      closedStatuses: new Set(['Closed', 'Rejected']),
    };
  }

  private get base(): string {
    return this.settings.url.replace(/\/+$/, '');
  }

  private async json<T>(path: string): Promise<T> {
    return (await this.http.request({ method: 'GET', path })).body as T;
  }

  async check(): Promise<{ account: string; notes: string[] }> {
    const me = await this.http.request({ method: 'GET', path: '/users/current.json', accept: [401, 403] });
    // An unknown key is not refused on lists (Redmine answers as anonymous), so ask who we are.
    if (me.status === 401)
      throw new AuthError('unauthorized', 'Redmine refused the API key (401): check PM_REDMINE_API_KEY or .pm/secrets.toml');
    if (me.status === 403)
      throw new AuthError(
        'forbidden',
        "Redmine's REST API is switched off (403): enable it under Administration → Settings → API",
      );
    const user = (me.body as { user: { login: string } }).user;
    const projectAnswer = await this.http.request({
      method: 'GET',
      path: `/projects/${encodeURIComponent(this.settings.project)}.json`,
      accept: [403, 404],
    });
    if (projectAnswer.status !== 200)
      throw new ValidationError([
        {
          path: 'project',
          message: `Redmine has no project ${JSON.stringify(this.settings.project)}, or ${user.login} cannot see it`,
        },
      ]);
    const notes: string[] = [];
    try {
      await this.prepare();
    } catch (error) {
      notes.push((error as Error).message);
    }
    return { account: user.login, notes };
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
      activities.time_entry_activities.find((a) => a.name === this.settings.activity) ??
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
    this.maps.closedStatuses = this.lookups.closed;
  }

  private get l(): Lookups {
    if (!this.lookups) throw new Error('RedmineConnector.prepare() must run first');
    return this.lookups;
  }

  project(type: SyncedType, record: AnyRecord): SyncedFields | null {
    return project(type, record, this.maps);
  }

  toLocal(type: SyncedType, fields: SyncedFields, current: AnyRecord | undefined) {
    return toLocal(type, fields, current, this.maps);
  }

  /** A relates pair has no direction: both sides compare it in one order. */
  canonical(type: SyncedType, fields: SyncedFields): SyncedFields {
    if (type !== 'dependencies' || fields.relation !== 'relates') return fields;
    const [a, b] = [String(fields.blocking), String(fields.blocked)].sort();
    return { ...fields, blocking: a!, blocked: b! };
  }

  // ---- reading ----------------------------------------------------------------------------

  private versionRecord(v: Version): RemoteRecord {
    return {
      type: 'sprints',
      remoteId: String(v.id),
      url: `${this.base}/versions/${v.id}`,
      updatedAt: v.updated_on ?? null,
      fields: { name: v.name, goal: v.description ?? '', due: v.due_date, open: v.status !== 'closed' },
      pmId: null,
    };
  }

  private issueRecord(i: Issue): RemoteRecord {
    const pmId = i.custom_fields?.find((f) => f.id === this.l.issueField)?.value;
    return {
      type: 'work_items',
      remoteId: String(i.id),
      url: `${this.base}/issues/${i.id}`,
      updatedAt: i.updated_on,
      fields: {
        title: i.subject,
        description: i.description ?? '',
        tracker: i.tracker.name,
        status: i.status.name,
        priority: i.priority.name,
        parent_id: i.parent ? String(i.parent.id) : null,
        sprint_id: i.fixed_version ? String(i.fixed_version.id) : null,
      },
      pmId: typeof pmId === 'string' && pmId !== '' ? pmId : null,
    };
  }

  private journalRecord(issueId: number, j: Journal): RemoteRecord {
    return {
      type: 'comments',
      remoteId: String(j.id),
      url: `${this.base}/issues/${issueId}#change-${j.id}`,
      updatedAt: j.created_on,
      fields: { content: j.notes ?? '', work_item_id: String(issueId) },
      pmId: null,
      parentRemoteId: String(issueId),
    };
  }

  private relationRecord(r: Relation): RemoteRecord | undefined {
    let fields: SyncedFields;
    if (r.relation_type === 'blocks')
      fields = { relation: 'blocks', blocking: String(r.issue_id), blocked: String(r.issue_to_id) };
    else if (r.relation_type === 'blocked')
      fields = { relation: 'blocks', blocking: String(r.issue_to_id), blocked: String(r.issue_id) };
    else if (r.relation_type === 'relates')
      fields = { relation: 'relates', blocking: String(r.issue_id), blocked: String(r.issue_to_id) };
    else return undefined; // precedes, duplicates, copied_to: nothing in pm to map them to
    return {
      type: 'dependencies',
      remoteId: String(r.id),
      url: `${this.base}/issues/${r.issue_id}`,
      updatedAt: null,
      fields,
      pmId: null,
    };
  }

  private timeRecord(t: TimeEntryJson): RemoteRecord | undefined {
    if (!t.issue) return undefined; // time on the project, not on an issue
    const pmId = t.custom_fields?.find((f) => f.id === this.l.timeField)?.value;
    return {
      type: 'time_entries',
      remoteId: String(t.id),
      url: `${this.base}/time_entries/${t.id}/edit`,
      updatedAt: t.updated_on ?? null,
      fields: {
        work_item_id: String(t.issue.id),
        hours: Math.round(Number(t.hours) * 100) / 100,
        spent_on: t.spent_on,
        description: t.comments ?? '',
      },
      pmId: typeof pmId === 'string' && pmId !== '' ? pmId : null,
    };
  }

  /** Every page of a Redmine list (at most 100 a page). */
  private async *pages<T>(path: string, key: string): AsyncGenerator<T> {
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.json<Record<string, unknown> & { total_count?: number }>(
        `${path}${path.includes('?') ? '&' : '?'}limit=${PAGE}&offset=${offset}`,
      );
      const rows = (page[key] as T[] | undefined) ?? [];
      yield* rows;
      if (rows.length < PAGE || (page.total_count !== undefined && offset + PAGE >= page.total_count)) return;
    }
  }

  async pull(scope: PullScope, onRecord: (record: RemoteRecord) => Promise<void>): Promise<PullOutcome> {
    const l = this.l;
    const full = scope.mode === 'full' || scope.since === undefined;
    const census: Partial<Record<SyncedType, Set<string>>> = {};
    let cursor: string | undefined;

    const answer = await this.http.request({ method: 'GET', path: `/projects/${l.projectId}/versions.json` });
    // Redmine's own clock when the listing began: whatever changes from now on is listed next time.
    const date = Date.parse(answer.headers.get('date') ?? '');
    const listedFrom = Number.isNaN(date) ? undefined : new Date(date).toISOString();
    census.sprints = new Set();
    for (const v of (answer.body as { versions: Version[] }).versions.filter((v) => v.project.id === l.projectId)) {
      census.sprints.add(String(v.id));
      await onRecord(this.versionRecord(v));
    }

    const details: number[] = [];
    if (full) census.work_items = new Set();
    const issues = full
      ? this.pages<Issue>(`/issues.json?project_id=${l.projectId}&status_id=*&sort=id:asc`, 'issues')
      : this.changedIssues(scope.since!);
    for await (const issue of issues) {
      const record = this.issueRecord(issue);
      census.work_items?.add(record.remoteId);
      if (cursor === undefined || issue.updated_on > cursor) cursor = issue.updated_on;
      if (!full && scope.known?.(record)) continue;
      await onRecord(record);
      details.push(issue.id);
    }
    if (full) {
      census.comments = new Set();
      census.dependencies = new Set();
    }
    // Journals come only with one issue at a time; relations do not move updated_on (read with the issue).
    const relations = new Set<number>();
    for (const id of new Set(details)) {
      const issue = await this.issueWithDetails(id);
      if (!issue) continue;
      for (const j of issue.journals ?? []) {
        if (!j.notes) continue;
        census.comments?.add(String(j.id));
        await onRecord(this.journalRecord(id, j));
      }
      for (const r of issue.relations ?? []) {
        if (relations.has(r.id)) continue;
        relations.add(r.id);
        const record = this.relationRecord(r);
        if (!record) continue;
        census.dependencies?.add(record.remoteId);
        await onRecord(record);
      }
    }

    // Time entries have no "updated since" filter: every run reads them all.
    census.time_entries = new Set();
    for await (const t of this.pages<TimeEntryJson>(`/time_entries.json?project_id=${l.projectId}`, 'time_entries')) {
      const record = this.timeRecord(t);
      if (!record) continue;
      census.time_entries.add(record.remoteId);
      await onRecord(record);
    }
    return { cursor: listedFrom ?? cursor, census: full ? census : undefined };
  }

  /**
   * Issues changed since a time, oldest change first. Each page starts again from the last
   * second seen (`>=`, whole seconds) instead of an offset into a list that moves: an issue
   * changed during the scan goes to the end and is listed again, and none is skipped.
   */
  private async *changedIssues(since: string): AsyncGenerator<Issue> {
    const l = this.l;
    let from = `${since.slice(0, 19)}Z`;
    let skip = 0;
    const seen = new Set<string>();
    for (;;) {
      const path = `/issues.json?project_id=${l.projectId}&status_id=*&updated_on=${encodeURIComponent(`>=${from}`)}&sort=updated_on:asc,id:asc&limit=${PAGE}&offset=${skip}`;
      const rows = (await this.json<{ issues: Issue[] }>(path)).issues;
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

  async get(type: SyncedType, remoteId: string, parentRemoteId?: string): Promise<RemoteRecord | null> {
    if (type === 'comments') {
      // A journal is read only through its issue.
      if (parentRemoteId === undefined)
        throw new RemoteError(`Redmine reads journal ${remoteId} only through its issue, which is not known`, {
          retryable: false,
        });
      const issue = await this.issueWithDetails(parentRemoteId);
      const journal = issue?.journals?.find((j) => String(j.id) === remoteId && j.notes);
      return issue && journal ? this.journalRecord(issue.id, journal) : null;
    }
    const path = {
      sprints: `/versions/${remoteId}.json`,
      work_items: `/issues/${remoteId}.json`,
      dependencies: `/relations/${remoteId}.json`,
      time_entries: `/time_entries/${remoteId}.json`,
    }[type];
    const answer = await this.http.request({ method: 'GET', path, accept: [404] });
    if (answer.status === 404) return null;
    const body = answer.body as Record<string, unknown>;
    switch (type) {
      case 'sprints':
        return this.versionRecord(body.version as Version);
      case 'work_items':
        return this.issueRecord(body.issue as Issue);
      case 'dependencies':
        return this.relationRecord(body.relation as Relation) ?? null;
      default:
        return this.timeRecord(body.time_entry as TimeEntryJson) ?? null;
    }
  }

  private async issueWithDetails(issueId: string | number): Promise<Issue | null> {
    const answer = await this.http.request({
      method: 'GET',
      path: `/issues/${String(issueId)}.json?include=journals,relations`,
      accept: [404],
    });
    return answer.status === 404 ? null : (answer.body as { issue: Issue }).issue;
  }

  async findExisting(
    type: SyncedType,
    pmIds: readonly string[],
    fields: ReadonlyMap<string, SyncedFields>,
    since?: string,
  ): Promise<Map<string, RemoteRecord>> {
    const l = this.l;
    const found = new Map<string, RemoteRecord>();
    if (pmIds.length === 0) return found;
    const wanted = new Set(pmIds);
    const keep = (record: RemoteRecord | undefined) => {
      if (record?.pmId && wanted.has(record.pmId)) found.set(record.pmId, record);
    };
    if (type === 'work_items') {
      // A few ids: one filtered query each; many: one scan of the issues that carry a pm id.
      const created = since ? `&created_on=${encodeURIComponent(`>=${since.slice(0, 19)}Z`)}` : '';
      const queries =
        pmIds.length <= 5
          ? pmIds.map((id) => `cf_${l.issueField}=${encodeURIComponent(id)}`)
          : [`cf_${l.issueField}=*${created}`];
      for (const query of queries) {
        for await (const issue of this.pages<Issue>(
          `/issues.json?project_id=${l.projectId}&status_id=*&${query}&sort=id:asc`,
          'issues',
        )) {
          keep(this.issueRecord(issue));
        }
      }
    } else if (type === 'time_entries') {
      const from = since ? `&from=${since.slice(0, 10)}` : '';
      for await (const t of this.pages<TimeEntryJson>(`/time_entries.json?project_id=${l.projectId}${from}`, 'time_entries')) {
        keep(this.timeRecord(t));
      }
    } else if (type === 'sprints') {
      // Version names are unique in a project: the name is the version.
      const versions = await this.json<{ versions: Version[] }>(`/projects/${l.projectId}/versions.json`);
      for (const pmId of pmIds) {
        const v = versions.versions.find((x) => x.project.id === l.projectId && x.name === fields.get(pmId)?.name);
        if (v) found.set(pmId, this.versionRecord(v));
      }
    } else {
      // Notes and relations carry no pm id: our note with the same text, or the same relation, is the one.
      for (const pmId of pmIds) {
        const f = fields.get(pmId)!;
        const issue = await this.issueWithDetails(String(type === 'comments' ? f.work_item_id : f.blocking));
        if (!issue) continue;
        const same = (r: RemoteRecord | undefined): r is RemoteRecord =>
          r !== undefined && JSON.stringify(this.canonical(type, r.fields)) === JSON.stringify(this.canonical(type, f));
        const match =
          type === 'comments'
            ? (issue.journals ?? [])
                .filter((j) => j.user.id === l.userId)
                .map((j) => this.journalRecord(issue.id, j))
                .filter(same)
                .pop()
            : (issue.relations ?? []).map((r) => this.relationRecord(r)).find(same);
        if (match) found.set(pmId, match);
      }
    }
    return found;
  }

  // ---- writing ----------------------------------------------------------------------------

  private id(value: unknown): number | '' {
    return value === null || value === undefined || value === '' ? '' : Number(value);
  }

  private issueBody(f: SyncedFields, before: SyncedFields | undefined): Record<string, unknown> {
    const l = this.l;
    const changed = (k: string) => before === undefined || before[k] !== f[k];
    const body: Record<string, unknown> = {};
    if (changed('title')) body.subject = f.title;
    if (changed('description')) body.description = f.description;
    if (changed('tracker')) body.tracker_id = l.trackers.get(String(f.tracker)) ?? l.trackers.get(DEFAULT_TYPE_MAP.task);
    if (changed('status')) body.status_id = l.statuses.get(String(f.status)) ?? l.statuses.get('New');
    if (changed('priority')) body.priority_id = l.priorities.get(String(f.priority)) ?? l.priorities.get(PRIORITY_MAP.medium);
    if (changed('parent_id')) body.parent_issue_id = this.id(f.parent_id);
    if (changed('sprint_id')) body.fixed_version_id = this.id(f.sprint_id);
    return body;
  }

  async create(type: SyncedType, f: SyncedFields, pmId: string): Promise<RemoteRecord> {
    const l = this.l;
    switch (type) {
      case 'sprints': {
        const r = await this.http.request({
          method: 'POST',
          path: `/projects/${l.projectId}/versions.json`,
          body: {
            version: { name: f.name, description: f.goal, due_date: f.due, status: f.open ? 'open' : 'closed', sharing: 'none' },
          },
        });
        return this.versionRecord((r.body as { version: Version }).version);
      }
      case 'work_items': {
        const issue = {
          project_id: l.projectId,
          ...this.issueBody(f, undefined),
          custom_fields: [{ id: l.issueField, value: pmId }],
        };
        const r = await this.http.request({ method: 'POST', path: '/issues.json', body: { issue } });
        const created = this.issueRecord((r.body as { issue: Issue }).issue);
        // A new issue always starts in its tracker's default status: move it where it belongs.
        if (created.fields.status === f.status) return created;
        return this.update('work_items', created.remoteId, f, created.fields);
      }
      case 'dependencies': {
        const r = await this.http.request({
          method: 'POST',
          path: `/issues/${String(f.blocking)}/relations.json`,
          body: { relation: { issue_to_id: Number(f.blocked), relation_type: f.relation } },
          accept: [422],
        });
        if (r.status === 422) {
          const existing = await this.findExisting('dependencies', [pmId], new Map([[pmId, f]]));
          if (existing.has(pmId)) return existing.get(pmId)!;
          const reason = errorsOf(r.body);
          throw new RemoteError(
            `Redmine refused the relation ${String(f.blocking)} ${String(f.relation)} ${String(f.blocked)}${reason ? `: ${reason}` : ''}`,
            { status: 422 },
          );
        }
        return this.relationRecord((r.body as { relation: Relation }).relation)!;
      }
      case 'comments': {
        await this.http.request({
          method: 'PUT',
          path: `/issues/${String(f.work_item_id)}.json`,
          body: { issue: { notes: f.content } },
        });
        // The new journal's id is not returned: it is our latest note with this text.
        const found = await this.findExisting('comments', [pmId], new Map([[pmId, f]]));
        if (!found.has(pmId))
          throw new RemoteError(`PUT /issues/${String(f.work_item_id)}.json: the note was not found afterwards`, {
            retryable: true,
          });
        return found.get(pmId)!;
      }
      case 'time_entries': {
        const entry = {
          issue_id: Number(f.work_item_id),
          hours: f.hours,
          spent_on: f.spent_on,
          comments: f.description,
          activity_id: l.activityId,
          custom_fields: [{ id: l.timeField, value: pmId }],
        };
        const r = await this.http.request({ method: 'POST', path: '/time_entries.json', body: { time_entry: entry } });
        return this.timeRecord((r.body as { time_entry: TimeEntryJson }).time_entry)!;
      }
    }
  }

  async update(type: SyncedType, remoteId: string, f: SyncedFields, before: SyncedFields | undefined): Promise<RemoteRecord> {
    const gone = (status: number) => {
      if (status === 404) throw new RemoteError(`${type} ${remoteId} no longer exists on Redmine`, { status: 404 });
    };
    switch (type) {
      case 'sprints': {
        const r = await this.http.request({
          method: 'PUT',
          path: `/versions/${remoteId}.json`,
          body: { version: { name: f.name, description: f.goal, due_date: f.due, status: f.open ? 'open' : 'closed' } },
          accept: [404],
        });
        gone(r.status);
        break;
      }
      case 'work_items': {
        const r = await this.http.request({
          method: 'PUT',
          path: `/issues/${remoteId}.json`,
          body: { issue: this.issueBody(f, before) },
          accept: [404],
        });
        gone(r.status);
        break;
      }
      case 'comments': {
        const r = await this.http.request({
          method: 'PUT',
          path: `/journals/${remoteId}.json`,
          body: { journal: { notes: f.content } },
          accept: [404],
        });
        gone(r.status);
        return {
          type,
          remoteId,
          url: `${this.base}/issues/${String(f.work_item_id)}#change-${remoteId}`,
          updatedAt: null,
          fields: f,
          pmId: null,
        };
      }
      case 'time_entries': {
        const body = { time_entry: { hours: f.hours, spent_on: f.spent_on, comments: f.description } };
        const r = await this.http.request({ method: 'PUT', path: `/time_entries/${remoteId}.json`, body, accept: [404] });
        gone(r.status);
        break;
      }
      case 'dependencies':
        throw new RemoteError('a Redmine relation cannot be changed, only deleted and created again', { retryable: false });
    }
    // Redmine answers 204 without the record: read it back, to know what it now holds.
    const after = await this.get(type, remoteId);
    if (!after) throw new RemoteError(`${type} ${remoteId} no longer exists on Redmine`, { status: 404 });
    return after;
  }

  async delete(type: SyncedType, remoteId: string): Promise<void> {
    const path = {
      sprints: `/versions/${remoteId}.json`,
      work_items: `/issues/${remoteId}.json`,
      dependencies: `/relations/${remoteId}.json`,
      time_entries: `/time_entries/${remoteId}.json`,
      comments: `/journals/${remoteId}.json`,
    }[type];
    if (type === 'comments') {
      // Journals cannot be deleted through the API; a note emptied is no comment any more.
      await this.http.request({ method: 'PUT', path, body: { journal: { notes: '' } }, accept: [404] });
      return;
    }
    await this.http.request({ method: 'DELETE', path, accept: [404] });
  }
}
