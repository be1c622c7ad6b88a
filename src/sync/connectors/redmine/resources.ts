import { RemoteError } from '../../../domain/index.js';
import {
  commentMapping,
  dependencyMapping,
  listEach,
  listIncrementally,
  mapAsync,
  matchBy,
  sprintMapping,
  timeEntryMapping,
  workItemMapping,
  type RemoteRecord,
  type Resource,
  type SyncedFields,
  type TrackerVocabulary,
} from '../sdk/index.js';
import { errorsOf, type Issue, type Journal, type RedmineApi, type Relation, type TimeEntryJson, type Version } from './api.js';
import { REDMINE_VOCABULARY } from './vocabulary.js';

/** Redmine answers a write with 204 and no record: what it now holds is read back. */
async function readBack<T extends RemoteRecord | null>(read: Promise<T>, what: string): Promise<NonNullable<T>> {
  const record = await read;
  if (!record) throw new RemoteError(`${what} no longer exists on Redmine`, { status: 404 });
  return record;
}

function gone(status: number, what: string): void {
  if (status === 404) throw new RemoteError(`${what} no longer exists on Redmine`, { status: 404 });
}

const id = (value: unknown): number | '' => (value === null || value === undefined || value === '' ? '' : Number(value));

// ---- sprints: versions -------------------------------------------------------------------

export function versions(api: RedmineApi): Resource<'sprints'> {
  const record = (v: Version): RemoteRecord => ({
    type: 'sprints',
    remoteId: String(v.id),
    url: `${api.base}/versions/${v.id}`,
    updatedAt: v.updated_on ?? null,
    fields: { name: v.name, goal: v.description ?? '', due: v.due_date, open: v.status !== 'closed' },
    pmId: null,
  });
  const body = (f: SyncedFields) => ({
    name: f.name,
    description: f.goal,
    due_date: f.due,
    status: f.open ? 'open' : 'closed',
  });
  const all = async () =>
    (await api.json<{ versions: Version[] }>(`/projects/${api.l.projectId}/versions.json`)).versions.filter(
      (v) => v.project.id === api.l.projectId,
    );
  const get = async (remoteId: string) => {
    const answer = await api.http.request({ method: 'GET', path: `/versions/${remoteId}.json`, accept: [404] });
    return answer.status === 404 ? null : record((answer.body as { version: Version }).version);
  };
  return {
    ...sprintMapping({ goal: true, start: false, open: true }),
    listing: 'full',
    async list(scope, emit) {
      return listEach(scope, emit, (await all()).map(record));
    },
    get,
    // Version names are unique in a project: the name is the version.
    find: async (pmIds, fields) => matchBy('name', pmIds, fields, (await all()).map(record)),
    async create(f) {
      const r = await api.http.request({
        method: 'POST',
        path: `/projects/${api.l.projectId}/versions.json`,
        body: { version: { ...body(f), sharing: 'none' } },
      });
      return record((r.body as { version: Version }).version);
    },
    async update(remoteId, f) {
      const r = await api.http.request({
        method: 'PUT',
        path: `/versions/${remoteId}.json`,
        body: { version: body(f) },
        accept: [404],
      });
      gone(r.status, `sprints ${remoteId}`);
      return readBack(get(remoteId), `sprints ${remoteId}`);
    },
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `/versions/${remoteId}.json`, accept: [404] });
    },
  };
}

// ---- work items: issues ------------------------------------------------------------------

export function issues(api: RedmineApi, vocabulary: TrackerVocabulary): Resource<'work_items'> {
  const record = (i: Issue): RemoteRecord => ({
    type: 'work_items',
    remoteId: String(i.id),
    url: `${api.base}/issues/${i.id}`,
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
    pmId: api.pmIdOf(i.custom_fields, api.l.issueField),
  });
  const body = (f: SyncedFields, before: SyncedFields | undefined): Record<string, unknown> => {
    const l = api.l;
    const changed = (k: string) => before === undefined || before[k] !== f[k];
    const out: Record<string, unknown> = {};
    if (changed('title')) out.subject = f.title;
    if (changed('description')) out.description = f.description;
    if (changed('tracker')) out.tracker_id = l.trackers.get(String(f.tracker)) ?? l.trackers.get(REDMINE_VOCABULARY.types.task);
    if (changed('status')) out.status_id = l.statuses.get(String(f.status)) ?? l.statuses.get('New');
    if (changed('priority')) out.priority_id = l.priorities.get(String(f.priority)) ?? l.priorities.get('Normal');
    if (changed('parent_id')) out.parent_issue_id = id(f.parent_id);
    if (changed('sprint_id')) out.fixed_version_id = id(f.sprint_id);
    return out;
  };
  const get = async (remoteId: string) => {
    const answer = await api.http.request({ method: 'GET', path: `/issues/${remoteId}.json`, accept: [404] });
    return answer.status === 404 ? null : record((answer.body as { issue: Issue }).issue);
  };
  const update = async (remoteId: string, f: SyncedFields, before: SyncedFields | undefined) => {
    const r = await api.http.request({
      method: 'PUT',
      path: `/issues/${remoteId}.json`,
      body: { issue: body(f, before) },
      accept: [404],
    });
    gone(r.status, `work_items ${remoteId}`);
    return readBack(get(remoteId), `work_items ${remoteId}`);
  };
  return {
    ...workItemMapping(vocabulary),
    listing: 'incremental',
    list(scope, emit) {
      const l = api.l;
      // Redmine on puma sends no Date header: then the newest change listed is the cursor (the
      // engine moves it on with the stamps of its own writes).
      return listIncrementally(scope, emit, {
        all: (onHeaders) =>
          api.pages<Issue>(`/issues.json?project_id=${l.projectId}&status_id=*&sort=id:asc`, 'issues', onHeaders),
        since: (since, onHeaders) => api.changedIssues(since, onHeaders),
        record,
      });
    },
    get,
    async find(pmIds, _fields, since) {
      const l = api.l;
      const found = new Map<string, RemoteRecord>();
      const wanted = new Set(pmIds);
      // A few ids: one filtered query each; many: one scan of the issues that carry a pm id.
      const created = since ? `&created_on=${encodeURIComponent(`>=${since.slice(0, 19)}Z`)}` : '';
      const queries =
        pmIds.length <= 5 ? pmIds.map((p) => `cf_${l.issueField}=${encodeURIComponent(p)}`) : [`cf_${l.issueField}=*${created}`];
      for (const query of queries) {
        for await (const issue of api.pages<Issue>(
          `/issues.json?project_id=${l.projectId}&status_id=*&${query}&sort=id:asc`,
          'issues',
        )) {
          const r = record(issue);
          if (r.pmId && wanted.has(r.pmId)) found.set(r.pmId, r);
        }
      }
      return found;
    },
    async create(f, pmId) {
      const issue = {
        project_id: api.l.projectId,
        ...body(f, undefined),
        custom_fields: [{ id: api.l.issueField, value: pmId }],
      };
      const r = await api.http.request({ method: 'POST', path: '/issues.json', body: { issue } });
      const created = record((r.body as { issue: Issue }).issue);
      // A new issue always starts in its tracker's default status: move it where it belongs.
      if (created.fields.status === f.status) return created;
      return update(created.remoteId, f, created.fields);
    },
    update,
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `/issues/${remoteId}.json`, accept: [404] });
    },
  };
}

// ---- dependencies: relations -------------------------------------------------------------

export function relations(api: RedmineApi): Resource<'dependencies'> {
  async function* relationsOf(issueIds: Iterable<string>) {
    for (const issueId of issueIds) for (const r of (await api.relationsOf(Number(issueId))) ?? []) yield record(r);
  }
  const record = (r: Relation): RemoteRecord | undefined => {
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
      url: `${api.base}/issues/${r.issue_id}`,
      updatedAt: null,
      fields,
      pmId: null,
    };
  };
  const same = (a: SyncedFields, b: SyncedFields) =>
    JSON.stringify(dependencyMapping.canonical(a)) === JSON.stringify(dependencyMapping.canonical(b));
  const find = async (pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>) => {
    // Relations carry no pm id: the same relation on the same issue is the one.
    const found = new Map<string, RemoteRecord>();
    for (const pmId of pmIds) {
      const f = fields.get(pmId)!;
      const issue = await api.issueWithDetails(String(f.blocking));
      const match = (issue?.relations ?? []).map(record).find((r) => r !== undefined && same(r.fields, f));
      if (match) found.set(pmId, match);
    }
    return found;
  };
  return {
    ...dependencyMapping,
    listing: 'parents',
    // Relations do not move an issue's updated_on: they are read with the issues that changed.
    list(scope, emit) {
      return listEach(scope, emit, relationsOf(scope.listed('work_items')));
    },
    async get(remoteId) {
      const answer = await api.http.request({ method: 'GET', path: `/relations/${remoteId}.json`, accept: [404] });
      return answer.status === 404 ? null : (record((answer.body as { relation: Relation }).relation) ?? null);
    },
    find,
    async create(f, pmId) {
      const r = await api.http.request({
        method: 'POST',
        path: `/issues/${String(f.blocking)}/relations.json`,
        body: { relation: { issue_to_id: Number(f.blocked), relation_type: f.relation } },
        accept: [422],
      });
      if (r.status === 422) {
        const existing = (await find([pmId], new Map([[pmId, f]]))).get(pmId);
        if (existing) return existing;
        const reason = errorsOf(r.body);
        throw new RemoteError(
          `Redmine refused the relation ${String(f.blocking)} ${String(f.relation)} ${String(f.blocked)}${reason ? `: ${reason}` : ''}`,
          { status: 422 },
        );
      }
      return record((r.body as { relation: Relation }).relation)!;
    },
    // No update: a Redmine relation cannot be changed, only deleted and created again.
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `/relations/${remoteId}.json`, accept: [404] });
    },
  };
}

// ---- comments: journal notes -------------------------------------------------------------

export function journals(api: RedmineApi): Resource<'comments'> {
  async function* notesOf(issueIds: Iterable<string>) {
    for (const issueId of issueIds)
      for (const j of (await api.takeJournals(Number(issueId))) ?? []) if (j.notes) yield record(Number(issueId), j);
  }
  const record = (issueId: number, j: Journal): RemoteRecord => ({
    type: 'comments',
    remoteId: String(j.id),
    url: `${api.base}/issues/${issueId}#change-${j.id}`,
    updatedAt: j.created_on,
    fields: { content: j.notes ?? '', work_item_id: String(issueId) },
    pmId: null,
    parentRemoteId: String(issueId),
  });
  const find = async (pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>) => {
    // Notes carry no pm id: our latest note with the same text on the same issue is the one.
    const found = new Map<string, RemoteRecord>();
    for (const pmId of pmIds) {
      const f = fields.get(pmId)!;
      const issue = await api.issueWithDetails(String(f.work_item_id));
      if (!issue) continue;
      const match = (issue.journals ?? [])
        .filter((j) => j.user.id === api.l.userId && j.notes === f.content)
        .map((j) => record(issue.id, j))
        .pop();
      if (match) found.set(pmId, match);
    }
    return found;
  };
  return {
    ...commentMapping,
    listing: 'parents',
    // Journals come only with one issue at a time.
    list(scope, emit) {
      return listEach(scope, emit, notesOf(scope.listed('work_items')));
    },
    async get(remoteId, parentRemoteId) {
      // A journal is read only through its issue.
      if (parentRemoteId === undefined)
        throw new RemoteError(`Redmine reads journal ${remoteId} only through its issue, which is not known`, {
          retryable: false,
        });
      const issue = await api.issueWithDetails(parentRemoteId);
      const journal = issue?.journals?.find((j) => String(j.id) === remoteId && j.notes);
      return issue && journal ? record(issue.id, journal) : null;
    },
    find,
    async create(f, pmId) {
      await api.http.request({
        method: 'PUT',
        path: `/issues/${String(f.work_item_id)}.json`,
        body: { issue: { notes: f.content } },
      });
      // The new journal's id is not returned: it is our latest note with this text.
      const found = (await find([pmId], new Map([[pmId, f]]))).get(pmId);
      if (!found)
        throw new RemoteError(`PUT /issues/${String(f.work_item_id)}.json: the note was not found afterwards`, {
          retryable: true,
        });
      return found;
    },
    async update(remoteId, f) {
      const r = await api.http.request({
        method: 'PUT',
        path: `/journals/${remoteId}.json`,
        body: { journal: { notes: f.content } },
        accept: [404],
      });
      gone(r.status, `comments ${remoteId}`);
      return {
        type: 'comments',
        remoteId,
        url: `${api.base}/issues/${String(f.work_item_id)}#change-${remoteId}`,
        updatedAt: null,
        fields: f,
        pmId: null,
      };
    },
    async delete(remoteId) {
      // Journals cannot be deleted through the API; a note emptied is no comment any more.
      await api.http.request({
        method: 'PUT',
        path: `/journals/${remoteId}.json`,
        body: { journal: { notes: '' } },
        accept: [404],
      });
    },
  };
}

// ---- time entries ------------------------------------------------------------------------

export function timeEntries(api: RedmineApi): Resource<'time_entries'> {
  const record = (t: TimeEntryJson): RemoteRecord | undefined => {
    if (!t.issue) return undefined; // time on the project, not on an issue
    return {
      type: 'time_entries',
      remoteId: String(t.id),
      url: `${api.base}/time_entries/${t.id}/edit`,
      updatedAt: t.updated_on ?? null,
      fields: {
        work_item_id: String(t.issue.id),
        hours: Math.round(Number(t.hours) * 100) / 100,
        spent_on: t.spent_on,
        description: t.comments ?? '',
      },
      pmId: api.pmIdOf(t.custom_fields, api.l.timeField),
    };
  };
  const get = async (remoteId: string) => {
    const answer = await api.http.request({ method: 'GET', path: `/time_entries/${remoteId}.json`, accept: [404] });
    return answer.status === 404 ? null : (record((answer.body as { time_entry: TimeEntryJson }).time_entry) ?? null);
  };
  return {
    ...timeEntryMapping,
    // Time entries have no "updated since" filter: every run reads them all.
    listing: 'full',
    async list(scope, emit) {
      const all = api.pages<TimeEntryJson>(`/time_entries.json?project_id=${api.l.projectId}`, 'time_entries');
      return listEach(scope, emit, mapAsync(all, record));
    },
    get,
    async find(pmIds, _fields, since) {
      const found = new Map<string, RemoteRecord>();
      const wanted = new Set(pmIds);
      const from = since ? `&from=${since.slice(0, 10)}` : '';
      for await (const t of api.pages<TimeEntryJson>(`/time_entries.json?project_id=${api.l.projectId}${from}`, 'time_entries')) {
        const r = record(t);
        if (r?.pmId && wanted.has(r.pmId)) found.set(r.pmId, r);
      }
      return found;
    },
    async create(f, pmId) {
      const entry = {
        issue_id: Number(f.work_item_id),
        hours: f.hours,
        spent_on: f.spent_on,
        comments: f.description,
        activity_id: api.l.activityId,
        custom_fields: [{ id: api.l.timeField, value: pmId }],
      };
      const r = await api.http.request({ method: 'POST', path: '/time_entries.json', body: { time_entry: entry } });
      return record((r.body as { time_entry: TimeEntryJson }).time_entry)!;
    },
    async update(remoteId, f) {
      const body = { time_entry: { hours: f.hours, spent_on: f.spent_on, comments: f.description } };
      const r = await api.http.request({ method: 'PUT', path: `/time_entries/${remoteId}.json`, body, accept: [404] });
      gone(r.status, `time_entries ${remoteId}`);
      return readBack(get(remoteId), `time_entries ${remoteId}`);
    },
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `/time_entries/${remoteId}.json`, accept: [404] });
    },
  };
}
