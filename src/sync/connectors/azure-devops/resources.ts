import { RemoteError } from '../../../domain/index.js';
import {
  commentMapping,
  dependencyMapping,
  listEach,
  listIncrementally,
  matchBy,
  sprintMapping,
  updateOptimistically,
  workItemMapping,
  type RemoteRecord,
  type Resource,
  type SyncedFields,
  type TrackerVocabulary,
} from '../sdk/index.js';
import {
  COMMENTS_VERSION,
  LINK,
  messageOf,
  targetOf,
  type AdoComment,
  type AdoNode,
  type AdoRelation,
  type AdoWorkItem,
  type AzureDevOpsApi,
} from './api.js';
import { htmlToText, textToHtml } from './html.js';

const gone = (what: string) => new RemoteError(`${what} no longer exists in Azure DevOps`, { status: 404 });
const JSON_PATCH = 'application/json-patch+json';

type Patch = { op: 'add' | 'remove' | 'test' | 'replace'; path: string; value?: unknown }[];

// ---- sprints: iterations -----------------------------------------------------------------

/** Sprints are the iterations at the top of the project's tree, each added to the team's sprints. */
export function iterations(api: AzureDevOpsApi): Resource<'sprints'> {
  const record = (n: AdoNode): RemoteRecord => ({
    type: 'sprints',
    remoteId: String(n.id),
    url: api.web(
      `_sprints/taskboard/${encodeURIComponent(api.team)}/${encodeURIComponent(api.project)}/${encodeURIComponent(n.name)}`,
    ),
    updatedAt: null,
    fields: {
      name: n.name,
      start: n.attributes?.startDate?.slice(0, 10) ?? null,
      due: n.attributes?.finishDate?.slice(0, 10) ?? null,
    },
    pmId: null,
  });
  const body = (f: SyncedFields) => ({
    name: f.name,
    attributes: {
      ...(f.start ? { startDate: `${String(f.start)}T00:00:00Z` } : {}),
      ...(f.due ? { finishDate: `${String(f.due)}T00:00:00Z` } : {}),
    },
  });
  const nodePath = (n: AdoNode) => `classificationnodes/iterations/${encodeURIComponent(n.name)}`;
  // The whole tree is one answer, not pages: a node missing from it is gone.
  const read = async (remoteId: string) => (await api.readIterations()).iterations.get(Number(remoteId));
  const all = async () => [...(await api.readIterations()).iterations.values()].map(record);
  // Iteration names are unique under their parent: the name is the sprint.
  const find = async (pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>) =>
    matchBy('name', pmIds, fields, await all());
  return {
    ...sprintMapping({ goal: false, start: true, open: false }),
    listing: 'full',
    async list(scope, emit) {
      return listEach(scope, emit, await all());
    },
    async get(remoteId) {
      const node = await read(remoteId);
      return node ? record(node) : null;
    },
    find,
    async create(f, pmId) {
      const made = await api.http.request({
        method: 'POST',
        path: api.wit('classificationnodes/iterations'),
        body: body(f),
        accept: [409],
      });
      let node = made.body as AdoNode;
      if (made.status === 409) {
        // Made by an earlier attempt that did not hear back.
        const existing = (await find([pmId], new Map([[pmId, f]]))).get(pmId);
        if (!existing)
          throw new RemoteError(`Azure DevOps refused the iteration ${String(f.name)}: ${messageOf(made.body)}`, { status: 409 });
        node = (await read(existing.remoteId))!;
      }
      api.l.iterations.set(node.id, node);
      // The team's sprints are the iterations it has chosen: choose this one.
      await api.http.request({
        method: 'POST',
        path: api.teamPath('work/teamsettings/iterations'),
        body: { id: node.identifier },
        accept: [409],
      });
      return record(node);
    },
    async update(remoteId, f) {
      const node = await read(remoteId);
      if (!node) throw gone(`sprints ${remoteId}`);
      const answer = await api.http.request({ method: 'PATCH', path: api.wit(nodePath(node)), body: body(f), accept: [404] });
      if (answer.status === 404) throw gone(`sprints ${remoteId}`);
      const after = answer.body as AdoNode;
      api.l.iterations.set(after.id, after);
      return record(after);
    },
    async delete(remoteId) {
      const node = await read(remoteId);
      if (!node) return;
      // Its work items move to the top of the tree, as when deleting it on the web.
      const path = `${nodePath(node)}?$reclassifyId=${api.l.rootIteration.id}`;
      await api.http.request({ method: 'DELETE', path: api.wit(path), accept: [404] });
      api.l.iterations.delete(node.id);
    },
  };
}

// ---- work items --------------------------------------------------------------------------

const FIELD = {
  title: 'System.Title',
  description: 'System.Description',
  tracker: 'System.WorkItemType',
  status: 'System.State',
  priority: 'Microsoft.VSTS.Common.Priority',
  sprint_id: 'System.IterationPath',
} as const;

export function workItems(api: AzureDevOpsApi, vocabulary: TrackerVocabulary): Resource<'work_items'> {
  const record = (item: AdoWorkItem): RemoteRecord => {
    const f = item.fields;
    const text = (name: string, fallback = '') => {
      const value = f[name];
      return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
    };
    const parent = (item.relations ?? []).find((r) => r.rel === LINK.parent);
    const iteration = Number(f['System.IterationId']);
    const pmId = f[api.pmField];
    return {
      type: 'work_items',
      remoteId: String(item.id),
      url: api.web(`_workitems/edit/${item.id}`),
      updatedAt: typeof f['System.ChangedDate'] === 'string' ? f['System.ChangedDate'] : null,
      fields: {
        title: text(FIELD.title),
        description: htmlToText(text(FIELD.description)),
        tracker: text(FIELD.tracker),
        status: text(FIELD.status),
        priority: text(FIELD.priority, String(PRIORITY_DEFAULT)),
        parent_id: parent ? String(targetOf(parent)) : null,
        sprint_id: Number.isFinite(iteration) && iteration !== api.l.rootIteration.id ? String(iteration) : null,
      },
      pmId: typeof pmId === 'string' && pmId !== '' ? pmId : null,
    };
  };
  /** JSON Patch operations that give a work item these fields (relations as they stand in `item`). */
  const patch = (f: SyncedFields, keys: readonly string[], item: AdoWorkItem | undefined): Patch => {
    const ops: Patch = [];
    for (const key of keys) {
      const value = f[key];
      if (key === 'title') ops.push({ op: 'add', path: `/fields/${FIELD.title}`, value });
      else if (key === 'description')
        ops.push({ op: 'add', path: `/fields/${FIELD.description}`, value: textToHtml(String(value ?? '')) });
      else if (key === 'status') ops.push({ op: 'add', path: `/fields/${FIELD.status}`, value });
      else if (key === 'priority')
        ops.push({ op: 'add', path: `/fields/${FIELD.priority}`, value: Number(value) || PRIORITY_DEFAULT });
      else if (key === 'sprint_id')
        ops.push({ op: 'add', path: `/fields/${FIELD.sprint_id}`, value: api.iterationPath(value as string | null) });
      else if (key === 'tracker') ops.push({ op: 'add', path: `/fields/${FIELD.tracker}`, value });
      else if (key === 'parent_id') {
        const index = (item?.relations ?? []).findIndex((r) => r.rel === LINK.parent);
        if (index !== -1) ops.push({ op: 'remove', path: `/relations/${index}` });
        if (value !== null)
          ops.push({ op: 'add', path: '/relations/-', value: { rel: LINK.parent, url: api.itemUrl(String(value)) } });
      }
    }
    return ops;
  };
  const keys = ['title', 'description', 'tracker', 'status', 'priority', 'parent_id', 'sprint_id'];
  const write = async (id: string, ops: Patch) => {
    const answer = await api.http.request({
      method: 'PATCH',
      path: api.wit(`workitems/${id}?$expand=relations`),
      body: ops,
      contentType: JSON_PATCH,
      accept: [404, 412],
    });
    if (answer.status === 404) throw gone(`work_items ${id}`);
    return answer.status === 412 ? 'stale' : record(answer.body as AdoWorkItem);
  };
  const update = (remoteId: string, fields: SyncedFields, before: SyncedFields | undefined) => {
    let current: AdoWorkItem | undefined;
    return updateOptimistically({
      what: `work item ${remoteId}`,
      tracker: 'Azure DevOps',
      keys,
      fields,
      before,
      read: async () => {
        current = (await api.item(remoteId)) ?? undefined;
        return current ? { record: record(current), version: current.rev } : null;
      },
      // `test /rev` makes the write conditional: 412 when someone wrote since the read.
      write: (changes, rev) => write(remoteId, [{ op: 'test', path: '/rev', value: rev }, ...patch(fields, changes, current)]),
      gone: () => gone(`work_items ${remoteId}`),
    });
  };
  return {
    ...workItemMapping(vocabulary),
    listing: 'incremental',
    list(scope, emit) {
      return listIncrementally(scope, emit, {
        all: (onHeaders) => api.windows(undefined, onHeaders),
        since: (since, onHeaders) => api.windows(since, onHeaders),
        record,
      });
    },
    async get(remoteId) {
      const item = await api.item(remoteId);
      return item ? record(item) : null;
    },
    async find(pmIds) {
      const found = new Map<string, RemoteRecord>();
      for (let at = 0; at < pmIds.length; at += 50) {
        const list = pmIds
          .slice(at, at + 50)
          .map((p) => api.quote(p))
          .join(', ');
        const ids = await api.wiql(
          `SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [${api.pmField}] IN (${list})`,
        );
        for (const item of await api.batch(ids)) {
          const r = record(item);
          if (r.pmId) found.set(r.pmId, r);
        }
      }
      return found;
    },
    async create(f, pmId) {
      // A new work item starts in its type's first state: the status is written after.
      const type = String(f.tracker);
      const fields = { ...f, status: api.l.initialState.get(type) ?? 'New' };
      const ops: Patch = [
        ...patch(
          fields,
          keys.filter((k) => k !== 'tracker' && k !== 'status'),
          undefined,
        ),
        { op: 'add', path: `/fields/${api.pmField}`, value: pmId },
      ];
      const answer = await api.http.request({
        method: 'POST',
        path: api.wit(`workitems/$${encodeURIComponent(type)}?$expand=relations`),
        body: ops,
        contentType: JSON_PATCH,
      });
      const created = record(answer.body as AdoWorkItem);
      if (created.fields.status === f.status) return created;
      return update(created.remoteId, f, created.fields);
    },
    update,
    async delete(remoteId) {
      // To the recycle bin, as on the web: restorable there.
      await api.http.request({ method: 'DELETE', path: api.wit(`workitems/${remoteId}`), accept: [404] });
    },
  };
}

const PRIORITY_DEFAULT = 2;

// ---- dependencies: links -----------------------------------------------------------------

/**
 * Dependencies are links between work items: Dependency-Forward from the blocking to the
 * blocked (Successor), Related for relates. A link has no id of its own: pm names it by its
 * ends, `12>34` (blocks) or `12~34` (relates, the smaller id first).
 */
export function links(api: AzureDevOpsApi): Resource<'dependencies'> {
  const idOf = (f: SyncedFields) => {
    const [a, b] = [String(f.blocking), String(f.blocked)];
    return f.relation === 'blocks' ? `${a}>${b}` : `${Math.min(Number(a), Number(b))}~${Math.max(Number(a), Number(b))}`;
  };
  const parse = (remoteId: string): SyncedFields | undefined => {
    const m = /^(\d+)([>~])(\d+)$/.exec(remoteId);
    if (!m) return undefined;
    const [, a = '', kind, b = ''] = m;
    return { relation: kind === '>' ? 'blocks' : 'relates', blocking: a, blocked: b };
  };
  const record = (f: SyncedFields): RemoteRecord => ({
    type: 'dependencies',
    remoteId: idOf(f),
    url: api.web(`_workitems/edit/${String(f.blocking)}`),
    updatedAt: null,
    fields: dependencyMapping.canonical(f),
    pmId: null,
  });
  /** The links of one work item, as dependencies. */
  const of = (itemId: number, relations: readonly AdoRelation[]): SyncedFields[] =>
    relations.flatMap((r) => {
      const other = targetOf(r);
      if (other === null) return [];
      if (r.rel === LINK.successor) return [{ relation: 'blocks', blocking: String(itemId), blocked: String(other) }];
      if (r.rel === LINK.predecessor) return [{ relation: 'blocks', blocking: String(other), blocked: String(itemId) }];
      if (r.rel === LINK.related) return [{ relation: 'relates', blocking: String(itemId), blocked: String(other) }];
      return [];
    });
  const reversed = (f: SyncedFields): SyncedFields => ({ ...f, blocking: f.blocked ?? null, blocked: f.blocking ?? null });
  async function* linksOf(itemIds: Iterable<string>) {
    for (const itemId of itemIds) {
      const relations = api.relations.get(Number(itemId)) ?? (await api.item(itemId))?.relations ?? [];
      for (const f of of(Number(itemId), relations)) yield record(f);
    }
  }
  /** The link on its source work item: its index there, with the item; null when the item is gone. */
  const locate = async (f: SyncedFields) => {
    const item = await api.item(String(f.blocking));
    if (!item) return null;
    const rel = f.relation === 'blocks' ? LINK.successor : LINK.related;
    const index = (item.relations ?? []).findIndex((r) => r.rel === rel && String(targetOf(r)) === String(f.blocked));
    return { item, index };
  };
  const get = async (remoteId: string) => {
    const f = parse(remoteId);
    if (!f) return null;
    // A relates link is on both ends: look from either.
    const found = (await locate(f)) ?? (f.relation === 'relates' ? await locate(reversed(f)) : null);
    return found && found.index !== -1 ? record(f) : null;
  };
  return {
    ...dependencyMapping,
    // Adding or removing a link is a new revision of both work items: links are read with those that changed.
    listing: 'parents',
    list(scope, emit) {
      return listEach(scope, emit, linksOf(scope.listed('work_items')));
    },
    get,
    async find(pmIds, fields) {
      const found = new Map<string, RemoteRecord>();
      for (const pmId of pmIds) {
        const existing = await get(idOf(fields.get(pmId)!));
        if (existing) found.set(pmId, existing);
      }
      return found;
    },
    async create(f) {
      const rel = f.relation === 'blocks' ? LINK.successor : LINK.related;
      const answer = await api.http.request({
        method: 'PATCH',
        path: api.wit(`workitems/${String(f.blocking)}`),
        body: [{ op: 'add', path: '/relations/-', value: { rel, url: api.itemUrl(String(f.blocked)) } }],
        contentType: JSON_PATCH,
        accept: [400],
      });
      if (answer.status === 400) {
        // TF201035: the link is there already (an earlier attempt that did not hear back).
        const existing = await get(idOf(f));
        if (existing) return existing;
        throw new RemoteError(`Azure DevOps refused the link ${idOf(f)}: ${messageOf(answer.body)}`, { status: 400 });
      }
      return record(f);
    },
    // No update: a link cannot change, only be removed and added again.
    async delete(remoteId) {
      const f = parse(remoteId);
      if (!f) return;
      for (let attempt = 1; attempt <= 3; attempt++) {
        const found = (await locate(f)) ?? (f.relation === 'relates' ? await locate(reversed(f)) : null);
        if (!found || found.index === -1) return;
        const answer = await api.http.request({
          method: 'PATCH',
          path: api.wit(`workitems/${found.item.id}`),
          body: [
            { op: 'test', path: '/rev', value: found.item.rev },
            { op: 'remove', path: `/relations/${found.index}` },
          ],
          contentType: JSON_PATCH,
          accept: [404, 412],
        });
        if (answer.status !== 412) return;
      }
      throw new RemoteError(`work item ${String(f.blocking)} kept changing while pm removed link ${remoteId}`, {
        retryable: true,
      });
    },
  };
}

// ---- comments ----------------------------------------------------------------------------

/** Comments (API 7.1-preview.4). A comment's id is per work item: pm names it `ITEM:COMMENT`. */
export function comments(api: AzureDevOpsApi): Resource<'comments'> {
  const record = (c: AdoComment): RemoteRecord => ({
    type: 'comments',
    remoteId: `${c.workItemId}:${c.id}`,
    url: api.web(`_workitems/edit/${c.workItemId}`),
    updatedAt: c.modifiedDate ?? c.createdDate ?? null,
    fields: { content: htmlToText(c.text), work_item_id: String(c.workItemId) },
    pmId: null,
    parentRemoteId: String(c.workItemId),
  });
  const split = (remoteId: string) => {
    const [item, comment] = remoteId.split(':');
    return { item: item!, comment: comment! };
  };
  /** A work item's comments, deleted ones included (they say they are), page by page; null when the item is gone. */
  const of = async (itemId: string): Promise<AdoComment[] | null> => {
    const all: AdoComment[] = [];
    let token: string | undefined;
    do {
      const page = `workItems/${itemId}/comments?includeDeleted=true&$top=200${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
      const answer = await api.http.request({ method: 'GET', path: api.wit(page, COMMENTS_VERSION), accept: [404] });
      if (answer.status === 404) return null;
      const body = answer.body as { comments: AdoComment[]; continuationToken?: string };
      all.push(...body.comments);
      token = body.continuationToken ?? undefined;
    } while (token);
    return all;
  };
  async function* liveOf(itemIds: Iterable<string>) {
    for (const itemId of itemIds) for (const c of (await of(itemId)) ?? []) if (!c.isDeleted) yield record(c);
  }
  const find = async (pmIds: readonly string[], fields: ReadonlyMap<string, SyncedFields>) => {
    // Comments carry no pm id: the latest live comment with the same text on the same item is the one.
    const found = new Map<string, RemoteRecord>();
    for (const pmId of pmIds) {
      const f = fields.get(pmId)!;
      const match = ((await of(String(f.work_item_id))) ?? [])
        .filter((c) => !c.isDeleted && htmlToText(c.text) === f.content)
        .pop();
      if (match) found.set(pmId, record(match));
    }
    return found;
  };
  return {
    ...commentMapping,
    // A comment is a new revision of its work item: comments are read with the items that changed.
    listing: 'parents',
    list(scope, emit) {
      return listEach(scope, emit, liveOf(scope.listed('work_items')));
    },
    async get(remoteId) {
      const { item, comment } = split(remoteId);
      const path = api.wit(`workItems/${item}/comments/${comment}?includeDeleted=true`, COMMENTS_VERSION);
      const answer = await api.http.request({ method: 'GET', path, accept: [404] });
      if (answer.status === 404) return null;
      const c = answer.body as AdoComment;
      return c.isDeleted ? null : record(c);
    },
    find,
    async create(f) {
      const answer = await api.http.request({
        method: 'POST',
        path: api.wit(`workItems/${String(f.work_item_id)}/comments`, COMMENTS_VERSION),
        body: { text: textToHtml(String(f.content)) },
      });
      return record(answer.body as AdoComment);
    },
    async update(remoteId, f) {
      const { item, comment } = split(remoteId);
      const answer = await api.http.request({
        method: 'PATCH',
        path: api.wit(`workItems/${item}/comments/${comment}`, COMMENTS_VERSION),
        body: { text: textToHtml(String(f.content)) },
        accept: [404],
      });
      if (answer.status === 404) throw gone(`comments ${remoteId}`);
      return record(answer.body as AdoComment);
    },
    async delete(remoteId) {
      const { item, comment } = split(remoteId);
      await api.http.request({
        method: 'DELETE',
        path: api.wit(`workItems/${item}/comments/${comment}`, COMMENTS_VERSION),
        accept: [404],
      });
    },
  };
}
