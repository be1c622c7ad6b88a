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
  type Vocabulary,
  updateOptimistically,
} from '../sdk/index.js';
import {
  API,
  durationOf,
  href,
  hoursOf,
  idOf,
  messageOf,
  type Activity,
  type Collection,
  type OpenProjectApi,
  type Relation,
  type TimeEntryJson,
  type Version,
  type WorkPackage,
} from './api.js';
import type { ItemType, Priority } from '../../../domain/index.js';

const gone = (what: string) => new RemoteError(`${what} no longer exists in OpenProject`, { status: 404 });

// ---- sprints: versions -------------------------------------------------------------------

export function versions(api: OpenProjectApi): Resource<'sprints'> {
  const record = (v: Version): RemoteRecord => ({
    type: 'sprints',
    remoteId: String(v.id),
    url: api.web(`/versions/${v.id}`),
    updatedAt: v.updatedAt,
    fields: {
      name: v.name,
      goal: v.description?.raw ?? '',
      start: v.startDate,
      due: v.endDate,
      open: v.status !== 'closed',
    },
    pmId: null,
  });
  const body = (f: SyncedFields) => ({
    name: f.name,
    description: { raw: f.goal ?? '' },
    startDate: f.start,
    endDate: f.due,
    status: f.open ? 'open' : 'closed',
  });
  // Versions shared from other projects are listed too: only this project's are its sprints.
  const all = async () =>
    (await api.json<Collection<Version>>(`${API}/projects/${api.l.projectId}/versions`))._embedded.elements.filter(
      (v) => idOf(v._links.definingProject) === api.l.projectId,
    );
  return {
    ...sprintMapping({ goal: true, start: true, open: true }),
    listing: 'full',
    async list(scope, emit) {
      return listEach(scope, emit, (await all()).map(record));
    },
    async get(remoteId) {
      const answer = await api.http.request({ method: 'GET', path: `${API}/versions/${remoteId}`, accept: [404] });
      return answer.status === 404 ? null : record(answer.body as Version);
    },
    // Version names are unique in a project: the name is the version.
    find: async (pmIds, fields) => matchBy('name', pmIds, fields, (await all()).map(record)),
    async create(f) {
      const r = await api.http.request({
        method: 'POST',
        path: `${API}/versions`,
        body: { ...body(f), _links: { definingProject: href('projects', api.l.projectId) } },
      });
      return record(r.body as Version);
    },
    async update(remoteId, f) {
      const r = await api.http.request({ method: 'PATCH', path: `${API}/versions/${remoteId}`, body: body(f), accept: [404] });
      if (r.status === 404) throw gone(`sprints ${remoteId}`);
      return record(r.body as Version);
    },
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `${API}/versions/${remoteId}`, accept: [404] });
    },
  };
}

// ---- work items: work packages -----------------------------------------------------------

export function workPackages(
  api: OpenProjectApi,
  vocabulary: { types: Vocabulary<ItemType>; statuses: Vocabulary; priorities: Vocabulary<Priority> },
): Resource<'work_items'> {
  const record = (wp: WorkPackage): RemoteRecord => {
    const pmId = wp[api.l.wpField];
    const title = (name: string) => {
      const link = wp._links[name];
      return Array.isArray(link) ? '' : (link?.title ?? '');
    };
    const ref = (name: string) => {
      const id = idOf(wp._links[name]);
      return id === null ? null : String(id);
    };
    return {
      type: 'work_items',
      remoteId: String(wp.id),
      url: api.web(`/work_packages/${wp.id}`),
      updatedAt: wp.updatedAt,
      fields: {
        title: wp.subject,
        description: wp.description?.raw ?? '',
        tracker: title('type'),
        status: title('status'),
        priority: title('priority'),
        parent_id: ref('parent'),
        sprint_id: ref('version'),
      },
      pmId: typeof pmId === 'string' && pmId !== '' ? pmId : null,
    };
  };
  /** The write model of these fields: only those named. */
  const body = (f: SyncedFields, keys: readonly string[]) => {
    const l = api.l;
    const out: Record<string, unknown> = {};
    const links: Record<string, unknown> = {};
    for (const key of keys) {
      const value = f[key];
      if (key === 'title') out.subject = value;
      else if (key === 'description') out.description = { raw: value ?? '' };
      else if (key === 'tracker') links.type = href('types', l.types.get(String(value)) ?? l.types.get('Task') ?? null);
      else if (key === 'status')
        links.status = href('statuses', l.statuses.get(String(value)) ?? l.statuses.get(l.defaultStatus) ?? null);
      else if (key === 'priority')
        links.priority = href('priorities', l.priorities.get(String(value)) ?? l.priorities.get('Normal') ?? null);
      else if (key === 'parent_id') links.parent = href('work_packages', value === null ? null : String(value));
      else if (key === 'sprint_id') links.version = href('versions', value === null ? null : String(value));
    }
    return { ...out, ...(Object.keys(links).length > 0 ? { _links: links } : {}) };
  };
  const read = async (remoteId: string): Promise<WorkPackage | null> => {
    const answer = await api.http.request({ method: 'GET', path: `${API}/work_packages/${remoteId}`, accept: [404] });
    return answer.status === 404 ? null : (answer.body as WorkPackage);
  };
  const keys = ['title', 'description', 'tracker', 'status', 'priority', 'parent_id', 'sprint_id'];
  return {
    ...workItemMapping(vocabulary),
    listing: 'incremental',
    list(scope, emit) {
      return listIncrementally(scope, emit, {
        all: (onHeaders) =>
          api.pages<WorkPackage>(
            `${API}/work_packages?filters=${encodeURIComponent(JSON.stringify(api.projectFilters))}&sortBy=${encodeURIComponent('[["id","asc"]]')}`,
            onHeaders,
          ),
        since: (since, onHeaders) =>
          api.changedSince<WorkPackage>(`${API}/work_packages`, api.projectFilters, 'updatedAt', since, onHeaders),
        record,
      });
    },
    async get(remoteId) {
      const wp = await read(remoteId);
      return wp ? record(wp) : null;
    },
    async find(pmIds) {
      const found = new Map<string, RemoteRecord>();
      for (let at = 0; at < pmIds.length; at += 50) {
        const filters = [...api.projectFilters, { [api.l.wpField]: { operator: '=', values: pmIds.slice(at, at + 50) } }];
        for await (const wp of api.pages<WorkPackage>(
          `${API}/work_packages?filters=${encodeURIComponent(JSON.stringify(filters))}`,
        )) {
          const r = record(wp);
          if (r.pmId) found.set(r.pmId, r);
        }
      }
      return found;
    },
    async create(f, pmId) {
      const r = await api.http.request({
        method: 'POST',
        path: `${API}/projects/${api.l.projectId}/work_packages`,
        body: { ...body(f, keys), [api.l.wpField]: pmId },
      });
      return record(r.body as WorkPackage);
    },
    /** Optimistic, with the work package's lockVersion (see updateOptimistically). */
    update(remoteId, fields, before) {
      return updateOptimistically({
        what: `work package ${remoteId}`,
        tracker: 'OpenProject',
        keys,
        fields,
        before,
        read: async () => {
          const wp = await read(remoteId);
          return wp ? { record: record(wp), version: wp.lockVersion } : null;
        },
        write: async (changes, lockVersion) => {
          const answer = await api.http.request({
            method: 'PATCH',
            path: `${API}/work_packages/${remoteId}`,
            body: { ...body(fields, changes), lockVersion },
            accept: [404, 409],
          });
          if (answer.status === 404) throw gone(`work_items ${remoteId}`);
          return answer.status === 409 ? 'stale' : record(answer.body as WorkPackage);
        },
        gone: () => gone(`work_items ${remoteId}`),
      });
    },
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `${API}/work_packages/${remoteId}`, accept: [404] });
    },
  };
}

// ---- dependencies: relations -------------------------------------------------------------

export function relations(api: OpenProjectApi): Resource<'dependencies'> {
  const record = (r: Relation): RemoteRecord | undefined => {
    const from = String(idOf(r._links.from));
    const to = String(idOf(r._links.to));
    let fields: SyncedFields;
    if (r.type === 'blocks') fields = { relation: 'blocks', blocking: from, blocked: to };
    else if (r.type === 'blocked') fields = { relation: 'blocks', blocking: to, blocked: from };
    else if (r.type === 'relates') fields = { relation: 'relates', blocking: from, blocked: to };
    else return undefined; // precedes, follows, duplicates, includes …: nothing in pm to map them to
    return {
      type: 'dependencies',
      remoteId: String(r.id),
      url: api.web(`/work_packages/${from}/relations`),
      updatedAt: null,
      fields,
      pmId: null,
    };
  };
  const same = (a: SyncedFields, b: SyncedFields) =>
    JSON.stringify(dependencyMapping.canonical(a)) === JSON.stringify(dependencyMapping.canonical(b));
  const typeFilter = [{ type: { operator: '=', values: ['blocks', 'relates'] } }];
  const find = async (pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>) => {
    // Relations carry no pm id: the same relation between the same work packages is the one.
    const found = new Map<string, RemoteRecord>();
    for (const pmId of pmIds) {
      const f = fields.get(pmId)!;
      const filters = [{ involved: { operator: '=', values: [String(f.blocking)] } }];
      for await (const r of api.pages<Relation>(`${API}/relations?filters=${encodeURIComponent(JSON.stringify(filters))}`)) {
        const rec = record(r);
        if (rec && same(rec.fields, f)) found.set(pmId, rec);
      }
    }
    return found;
  };
  return {
    ...dependencyMapping,
    // One paginated listing of every relation the key can see (OpenProject has no project filter
    // for relations): those between other projects' work packages are skipped by the engine.
    listing: 'full',
    list(scope, emit) {
      const all = api.pages<Relation>(`${API}/relations?filters=${encodeURIComponent(JSON.stringify(typeFilter))}`);
      return listEach(scope, emit, mapAsync(all, record));
    },
    async get(remoteId) {
      const answer = await api.http.request({ method: 'GET', path: `${API}/relations/${remoteId}`, accept: [404] });
      return answer.status === 404 ? null : (record(answer.body as Relation) ?? null);
    },
    find,
    async create(f, pmId) {
      const r = await api.http.request({
        method: 'POST',
        path: `${API}/work_packages/${String(f.blocking)}/relations`,
        body: { type: f.relation, _links: { to: href('work_packages', String(f.blocked)) } },
        accept: [409, 422],
      });
      if (r.status !== 201) {
        // A relation between the two already exists: it is ours when it is the same one.
        const existing = (await find([pmId], new Map([[pmId, f]]))).get(pmId);
        if (existing) return existing;
        const reason = messageOf(r.body);
        throw new RemoteError(
          `OpenProject refused the relation ${String(f.blocking)} ${String(f.relation)} ${String(f.blocked)} (${r.status})${reason ? `: ${reason}` : ''}`,
          { status: r.status },
        );
      }
      return record(r.body as Relation)!;
    },
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `${API}/relations/${remoteId}`, accept: [404] });
    },
  };
}

// ---- comments: activities ----------------------------------------------------------------

export function activities(api: OpenProjectApi): Resource<'comments'> {
  const record = (a: Activity, wpId: number): RemoteRecord => ({
    type: 'comments',
    remoteId: String(a.id),
    url: api.web(`/work_packages/${wpId}/activity#activity-${a.id}`),
    updatedAt: a.updatedAt ?? a.createdAt ?? null,
    fields: { content: a.comment?.raw ?? '', work_item_id: String(wpId) },
    pmId: null,
    parentRemoteId: String(wpId),
  });
  const isComment = (a: Activity) => a._type === 'Activity::Comment' && (a.comment?.raw ?? '') !== '';
  async function* commentsOf(wpIds: Iterable<string>) {
    for (const wpId of wpIds) for (const a of (await of(Number(wpId))) ?? []) if (isComment(a)) yield record(a, Number(wpId));
  }
  const of = async (wpId: number): Promise<Activity[] | null> => {
    const answer = await api.http.request({ method: 'GET', path: `${API}/work_packages/${wpId}/activities`, accept: [404] });
    return answer.status === 404 ? null : (answer.body as Collection<Activity>)._embedded.elements;
  };
  const find = async (pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>) => {
    // Comments carry no pm id: our latest comment with the same text on the same work package is the one.
    const found = new Map<string, RemoteRecord>();
    for (const pmId of pmIds) {
      const f = fields.get(pmId)!;
      const wpId = Number(f.work_item_id);
      const match = ((await of(wpId)) ?? [])
        .filter((a) => isComment(a) && idOf(a._links.user) === api.l.userId && a.comment?.raw === f.content)
        .pop();
      if (match) found.set(pmId, record(match, wpId));
    }
    return found;
  };
  return {
    ...commentMapping,
    // A comment moves its work package's updatedAt: comments are read with the work packages that changed.
    listing: 'parents',
    list(scope, emit) {
      return listEach(scope, emit, commentsOf(scope.listed('work_items')));
    },
    async get(remoteId) {
      const answer = await api.http.request({ method: 'GET', path: `${API}/activities/${remoteId}`, accept: [404] });
      if (answer.status === 404) return null;
      const a = answer.body as Activity;
      const wpId = idOf(a._links.workPackage);
      return isComment(a) && wpId !== null ? record(a, wpId) : null;
    },
    find,
    async create(f) {
      const r = await api.http.request({
        method: 'POST',
        path: `${API}/work_packages/${String(f.work_item_id)}/activities`,
        body: { comment: { raw: f.content } },
      });
      return record(r.body as Activity, Number(f.work_item_id));
    },
    async update(remoteId, f) {
      const r = await api.http.request({
        method: 'PATCH',
        path: `${API}/activities/${remoteId}`,
        body: { comment: { raw: f.content } },
        accept: [404],
      });
      if (r.status === 404) throw gone(`comments ${remoteId}`);
      return record(r.body as Activity, Number(f.work_item_id));
    },
    // No delete: OpenProject's API cannot delete an activity (docs/openproject.md).
  };
}

// ---- time entries ------------------------------------------------------------------------

export function timeEntries(api: OpenProjectApi): Resource<'time_entries'> {
  const record = (t: TimeEntryJson): RemoteRecord | undefined => {
    const wpId = idOf(t._links.entity ?? t._links.workPackage);
    if (wpId === null) return undefined; // time on the project or a meeting, not on a work package
    const pmId = t[api.l.timeField];
    return {
      type: 'time_entries',
      remoteId: String(t.id),
      url: api.web(`/time_entries/${t.id}`),
      updatedAt: t.updatedAt,
      fields: {
        work_item_id: String(wpId),
        hours: Math.round(hoursOf(t.hours) * 100) / 100,
        spent_on: t.spentOn,
        description: t.comment?.raw ?? '',
      },
      pmId: typeof pmId === 'string' && pmId !== '' ? pmId : null,
    };
  };
  const projectFilter = () => [{ project_id: { operator: '=', values: [String(api.l.projectId)] } }];
  const body = (f: SyncedFields) => ({
    hours: durationOf(Number(f.hours)),
    spentOn: f.spent_on,
    comment: { raw: f.description ?? '' },
  });
  const all = () =>
    api.pages<TimeEntryJson>(`${API}/time_entries?filters=${encodeURIComponent(JSON.stringify(projectFilter()))}`);
  return {
    ...timeEntryMapping,
    listing: 'incremental',
    list(scope, emit) {
      return listIncrementally(scope, emit, {
        all: (onHeaders) =>
          api.pages<TimeEntryJson>(
            `${API}/time_entries?filters=${encodeURIComponent(JSON.stringify(projectFilter()))}`,
            onHeaders,
          ),
        since: (since, onHeaders) =>
          api.changedSince<TimeEntryJson>(`${API}/time_entries`, projectFilter(), 'updated_at', since, onHeaders),
        record,
      });
    },
    async get(remoteId) {
      const answer = await api.http.request({ method: 'GET', path: `${API}/time_entries/${remoteId}`, accept: [404] });
      return answer.status === 404 ? null : (record(answer.body as TimeEntryJson) ?? null);
    },
    async find(pmIds) {
      const wanted = new Set(pmIds);
      const found = new Map<string, RemoteRecord>();
      for await (const t of all()) {
        const r = record(t);
        if (r?.pmId && wanted.has(r.pmId)) found.set(r.pmId, r);
      }
      return found;
    },
    async create(f, pmId) {
      const r = await api.http.request({
        method: 'POST',
        path: `${API}/time_entries`,
        body: { ...body(f), [api.l.timeField]: pmId, _links: { entity: href('work_packages', String(f.work_item_id)) } },
      });
      return record(r.body as TimeEntryJson)!;
    },
    async update(remoteId, f) {
      const r = await api.http.request({
        method: 'PATCH',
        path: `${API}/time_entries/${remoteId}`,
        body: body(f),
        accept: [404],
      });
      if (r.status === 404) throw gone(`time_entries ${remoteId}`);
      return record(r.body as TimeEntryJson)!;
    },
    async delete(remoteId) {
      await api.http.request({ method: 'DELETE', path: `${API}/time_entries/${remoteId}`, accept: [404] });
    },
  };
}
