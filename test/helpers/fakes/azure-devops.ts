import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AZURE_DEVOPS_WIT_OVERLAY, AZURE_DEVOPS_WORK_OVERLAY } from '../../fixtures/api-specs/overlays.js';
import { ApiSpec } from '../openapi.js';
import { FakeService, type FakeAnswer, type FakeRequest, type Handler } from './spec-fake.js';

/**
 * Azure DevOps Boards (REST 7.1) as a stateful fake, checked against Microsoft's Swagger
 * documents (test/fixtures/api-specs/azure-devops-*-7.1.json with the overlay). Like the
 * service: a PAT as Basic auth, WIQL (a subset: AND-ed comparisons, IN, ORDER BY) that compares
 * dates by day unless timePrecision=true and refuses more than 20,000 results, workitemsbatch of
 * at most 200 ids (errorPolicy omit answers null for the missing), JSON Patch with `test /rev`
 * (412 when it fails), reciprocal links, a new work item starting in its type's first state,
 * comments whose deletion is kept (includeDeleted), deleted work items in the recycle bin.
 */

export const ADO_WIT_SPEC = join(import.meta.dirname, '../../fixtures/api-specs/azure-devops-wit-7.1.json');
export const ADO_WORK_SPEC = join(import.meta.dirname, '../../fixtures/api-specs/azure-devops-work-7.1.json');

const ORG = 'acme';
const PROJECT = 'Website';
const TEAM = 'Website Team';
const WIT = `/{organization}/{project}/_apis/wit`;
const USER = { displayName: 'pm bot', id: '3c5b7b8e-0000-4000-8000-000000000001', uniqueName: 'pm-bot@acme.example' };
const WIQL_LIMIT = 20_000;

const STATES = [
  { name: 'New', color: 'b2b2b2', category: 'Proposed' },
  { name: 'Active', color: '007acc', category: 'InProgress' },
  { name: 'Resolved', color: 'ff9d00', category: 'Resolved' },
  { name: 'Closed', color: '339933', category: 'Completed' },
  { name: 'Removed', color: 'ffffff', category: 'Removed' },
];
const TYPES = ['Epic', 'Feature', 'User Story', 'Task', 'Bug'];
const LINKS: Record<string, { reverse: string; name: string }> = {
  'System.LinkTypes.Hierarchy-Reverse': { reverse: 'System.LinkTypes.Hierarchy-Forward', name: 'Parent' },
  'System.LinkTypes.Hierarchy-Forward': { reverse: 'System.LinkTypes.Hierarchy-Reverse', name: 'Child' },
  'System.LinkTypes.Dependency-Forward': { reverse: 'System.LinkTypes.Dependency-Reverse', name: 'Successor' },
  'System.LinkTypes.Dependency-Reverse': { reverse: 'System.LinkTypes.Dependency-Forward', name: 'Predecessor' },
  'System.LinkTypes.Related': { reverse: 'System.LinkTypes.Related', name: 'Related' },
};
const READ_ONLY = new Set([
  'System.Id',
  'System.Rev',
  'System.IterationId',
  'System.Parent',
  'System.ChangedDate',
  'System.CreatedDate',
]);

export interface AdoRelation {
  rel: string;
  url: string;
  attributes: Record<string, unknown>;
}
export interface AdoWorkItem {
  id: number;
  rev: number;
  fields: Record<string, unknown>;
  relations: AdoRelation[];
}
export interface AdoComment {
  id: number;
  workItemId: number;
  version: number;
  text: string;
  isDeleted: boolean;
  createdDate: string;
  modifiedDate: string;
}
interface Node {
  id: number;
  identifier: string;
  name: string;
  startDate?: string;
  finishDate?: string;
}

export interface AzureDevOpsFakeOptions {
  token?: string;
  /** Whether the organization's process has the pm id field. */
  pmIdField?: boolean;
}

type Condition = { field: string; op: string; value: unknown };

export class AzureDevOpsFake extends FakeService {
  readonly token: string;
  readonly organization = ORG;
  readonly project = PROJECT;
  readonly team = TEAM;
  readonly items = new Map<number, AdoWorkItem>();
  readonly recycleBin = new Map<number, { item: AdoWorkItem; deletedDate: string }>();
  readonly comments = new Map<number, AdoComment>();
  readonly iterations = new Map<number, Node>();
  readonly teamIterations = new Set<string>();
  readonly root: Node = { id: 1, identifier: randomUUID(), name: PROJECT };
  private readonly areaRoot: Node = { id: 2, identifier: randomUUID(), name: PROJECT };
  private readonly wit = ApiSpec.load(ADO_WIT_SPEC, AZURE_DEVOPS_WIT_OVERLAY);
  private next = 10;

  constructor(private readonly options: AzureDevOpsFakeOptions = {}) {
    super();
    this.token = options.token ?? 'ado-fake-pat';
    this.serve({
      specs: [this.wit, ApiSpec.load(ADO_WORK_SPEC, AZURE_DEVOPS_WORK_OVERLAY)],
      handlers: this.handlers(),
      authorized: (header) => {
        const decoded = Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
        return header?.startsWith('Basic ') === true && decoded.slice(decoded.indexOf(':') + 1) === this.token;
      },
      error: (status, message) => this.error(message),
      undocumented: {
        statuses: [400, 401, 404, 409, 412],
        check: (body) => this.wit.checkAgainst('#/definitions/ApiError', body),
      },
    });
  }

  /** Where pm connects: the organization's URL. */
  get orgUrl(): string {
    return `${this.url}/${ORG}`;
  }

  private error(message: string, typeKey = 'WorkItemTrackingException') {
    return {
      $id: '1',
      innerException: null,
      message,
      typeName: `Microsoft.TeamFoundation.WorkItemTracking.Server.${typeKey}, Microsoft.TeamFoundation.WorkItemTracking.Server`,
      typeKey,
      errorCode: 0,
      eventId: 3200,
    };
  }

  private fail(status: number, message: string, typeKey?: string): FakeAnswer {
    return { status, body: this.error(message, typeKey) };
  }

  itemUrl(id: number): string {
    return `${this.url}/${ORG}/_apis/wit/workItems/${id}`;
  }

  // ---- what other users do --------------------------------------------------------------

  /** Someone else creates a work item. */
  addItem(title: string, type = 'Task'): AdoWorkItem {
    const item = this.newItem(type, title);
    this.items.set(item.id, item);
    return item;
  }

  /** A work item as the service starts one, not stored yet. */
  private newItem(type: string, title: string | undefined): AdoWorkItem {
    const now = this.now();
    return {
      id: this.next++,
      rev: 1,
      fields: {
        'System.AreaPath': PROJECT,
        'System.TeamProject': PROJECT,
        'System.IterationPath': PROJECT,
        'System.IterationId': this.root.id,
        'System.WorkItemType': type,
        'System.State': 'New',
        'System.Reason': 'New',
        'System.CreatedDate': now,
        'System.CreatedBy': USER,
        'System.ChangedDate': now,
        'System.ChangedBy': USER,
        'System.CommentCount': 0,
        'System.Title': title,
        'Microsoft.VSTS.Common.Priority': 2,
      },
      relations: [],
    };
  }

  /** Someone else changes fields of a work item (a new revision). */
  edit(id: number, fields: Record<string, unknown>): void {
    const item = this.items.get(id)!;
    Object.assign(item.fields, fields);
    this.revise(item);
  }

  /** Someone else deletes a work item: it goes to the recycle bin. */
  remove(id: number): void {
    const item = this.items.get(id)!;
    this.items.delete(id);
    this.recycleBin.set(id, { item, deletedDate: this.now() });
    // Links to it go from the other ends (without a revision of theirs).
    for (const other of this.items.values()) other.relations = other.relations.filter((r) => idFromUrl(r.url) !== id);
  }

  /** The recycle bin emptied: the work item is gone for good, and nothing says it was deleted. */
  destroy(id: number): void {
    if (this.items.has(id)) this.remove(id);
    this.recycleBin.delete(id);
  }

  private revise(item: AdoWorkItem): void {
    item.rev++;
    item.fields['System.ChangedDate'] = this.now();
    item.fields['System.ChangedBy'] = USER;
  }

  // ---- representations ------------------------------------------------------------------

  private itemJson(item: AdoWorkItem, expand: string | undefined) {
    const withRelations = expand === 'relations' || expand === 'all' || expand === 'Relations' || expand === 'All';
    const parent = item.relations.find((r) => r.rel === 'System.LinkTypes.Hierarchy-Reverse');
    return {
      id: item.id,
      rev: item.rev,
      fields: {
        ...item.fields,
        'System.Id': item.id,
        'System.Rev': item.rev,
        ...(parent ? { 'System.Parent': idFromUrl(parent.url) } : {}),
      },
      ...(withRelations ? { relations: item.relations.map((r) => ({ ...r })) } : {}),
      _links: { links: { self: { href: this.itemUrl(item.id) } } },
      url: this.itemUrl(item.id),
    };
  }

  private deletedJson(id: number, entry: { item: AdoWorkItem; deletedDate: string }) {
    return {
      id,
      code: 200,
      deletedBy: `${USER.displayName} <${USER.uniqueName}>`,
      deletedDate: entry.deletedDate,
      name: String(entry.item.fields['System.Title']),
      project: PROJECT,
      type: String(entry.item.fields['System.WorkItemType']),
      url: `${this.url}/${ORG}/${PROJECT}/_apis/wit/recycleBin/${id}`,
      resource: this.itemJson(entry.item, undefined),
    };
  }

  private commentJson(c: AdoComment) {
    return {
      workItemId: c.workItemId,
      id: c.id,
      version: c.version,
      text: c.text,
      createdBy: USER,
      createdDate: c.createdDate,
      modifiedBy: USER,
      modifiedDate: c.modifiedDate,
      isDeleted: c.isDeleted,
      format: 'html',
      url: `${this.itemUrl(c.workItemId)}/comments/${c.id}`,
    };
  }

  private nodeJson(node: Node, depth: number, children?: Node[]): Record<string, unknown> {
    const isRoot = node === this.root;
    const attributes: Record<string, string> = {};
    if (node.startDate) attributes.startDate = node.startDate;
    if (node.finishDate) attributes.finishDate = node.finishDate;
    const kids = children ?? [];
    return {
      id: node.id,
      identifier: node.identifier,
      name: node.name,
      structureType: 'iteration',
      hasChildren: kids.length > 0,
      path: isRoot ? `\\${PROJECT}\\Iteration` : `\\${PROJECT}\\Iteration\\${node.name}`,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(depth > 0 && kids.length > 0 ? { children: kids.map((k) => this.nodeJson(k, depth - 1)) } : {}),
      url: `${this.url}/${ORG}/${PROJECT}/_apis/wit/classificationNodes/Iterations${isRoot ? '' : `/${encodeURIComponent(node.name)}`}`,
    };
  }

  private teamIterationJson(node: Node) {
    const today = new Date().toISOString().slice(0, 10);
    const start = node.startDate?.slice(0, 10);
    const finish = node.finishDate?.slice(0, 10);
    const timeFrame = finish && finish < today ? 'past' : start && start > today ? 'future' : 'current';
    return {
      id: node.identifier,
      name: node.name,
      path: `${PROJECT}\\${node.name}`,
      attributes: {
        ...(node.startDate ? { startDate: node.startDate } : {}),
        ...(node.finishDate ? { finishDate: node.finishDate } : {}),
        timeFrame,
      },
      url: `${this.url}/${ORG}/${PROJECT}/${TEAM}/_apis/work/teamsettings/iterations/${node.identifier}`,
    };
  }

  // ---- WIQL ---------------------------------------------------------------------------------

  /** The subset of WIQL the fake understands; anything else is a 400, as a syntax error would be. */
  private wiql(query: string, timePrecision: boolean): number[] | FakeAnswer {
    const m = /^\s*SELECT\s+\[System\.Id\]\s+FROM\s+WorkItems\s+WHERE\s+(.+?)(?:\s+ORDER\s+BY\s+(.+))?\s*$/is.exec(query);
    if (!m) return this.fail(400, `TF51005: The query references a field or syntax the fake does not know: ${query}`);
    const conditions: Condition[] = [];
    for (const part of m[1]!.split(/\s+AND\s+/i)) {
      const c = /^\[([\w.]+)\]\s*(=|>=|<=|>|<|IN)\s*(.+)$/i.exec(part.trim());
      if (!c) return this.fail(400, `TF51005: cannot read the condition ${part}`);
      const raw = c[3]!.trim();
      let value: unknown;
      if (raw === '@project') value = PROJECT;
      else if (/^'.*'$/.test(raw)) value = raw.slice(1, -1).replace(/''/g, "'");
      else if (/^-?\d+$/.test(raw)) value = Number(raw);
      else if (/^\(.*\)$/.test(raw))
        value = raw
          .slice(1, -1)
          .split(',')
          .map((v) => v.trim())
          .map((v) => (/^'.*'$/.test(v) ? v.slice(1, -1) : Number(v)));
      else return this.fail(400, `TF51005: cannot read the value ${raw}`);
      conditions.push({ field: c[1]!, op: c[2]!.toUpperCase(), value });
    }
    const dateOf = (v: unknown) => (timePrecision ? Date.parse(String(v)) : Date.parse(String(v).slice(0, 10)));
    const fieldOf = (item: AdoWorkItem, field: string) => (field === 'System.Id' ? item.id : item.fields[field]);
    const matches = (item: AdoWorkItem, c: Condition) => {
      const actual = fieldOf(item, c.field);
      if (c.op === 'IN') return (c.value as unknown[]).includes(actual);
      if (c.field.endsWith('Date')) return compare(dateOf(actual), dateOf(c.value), c.op);
      return compare(actual as number | string, c.value as number | string, c.op);
    };
    // A time in a date comparison needs timePrecision, as on the service.
    for (const c of conditions)
      if (c.field.endsWith('Date') && !timePrecision && /T\d/.test(String(c.value)))
        return this.fail(400, 'VS402625: Dates must be in the format of a date without time, unless timePrecision is true.');
    const rows = [...this.items.values()].filter((i) => conditions.every((c) => matches(i, c)));
    const orders = (m[2] ?? '[System.Id] ASC').split(',').map((o) => {
      const om = /^\s*\[([\w.]+)\]\s*(ASC|DESC)?\s*$/i.exec(o);
      return om ? { field: om[1]!, desc: om[2]?.toUpperCase() === 'DESC' } : undefined;
    });
    if (orders.some((o) => o === undefined)) return this.fail(400, `TF51005: cannot read ORDER BY ${m[2]}`);
    rows.sort((a, b) => {
      for (const o of orders) {
        const [x, y] = [fieldOf(a, o!.field), fieldOf(b, o!.field)] as [number | string, number | string];
        if (x !== y) return (x < y ? -1 : 1) * (o!.desc ? -1 : 1);
      }
      return 0;
    });
    return rows.map((r) => r.id);
  }

  // ---- JSON Patch -----------------------------------------------------------------------

  /** Applies a JSON Patch to a copy of the item; the copy, or the refusal. Reciprocal links are returned to apply after. */
  private patch(
    original: AdoWorkItem,
    operations: { op: string; path: string; value?: unknown }[],
    creating: boolean,
  ): { item: AdoWorkItem; linked: { id: number; add?: AdoRelation; remove?: AdoRelation }[] } | FakeAnswer {
    const item: AdoWorkItem = structuredClone(original);
    const linked: { id: number; add?: AdoRelation; remove?: AdoRelation }[] = [];
    for (const o of operations) {
      if (o.op === 'test') {
        if (o.path !== '/rev') return this.fail(400, `the fake tests only /rev, not ${o.path}`);
        if (o.value !== original.rev)
          return this.fail(
            412,
            `TF26071: This work item has been changed by someone else since you opened it (rev ${original.rev}).`,
            'WorkItemRevisionMismatchException',
          );
        continue;
      }
      const field = /^\/fields\/(.+)$/.exec(o.path)?.[1];
      if (field !== undefined) {
        if (READ_ONLY.has(field)) return this.fail(400, `TF401326: Invalid field status 'ReadOnly' for field '${field}'.`);
        if (field === 'Custom.PmId' && this.options.pmIdField === false)
          return this.fail(400, `TF51535: Cannot find field ${field}.`);
        if (o.op === 'remove') delete item.fields[field];
        else if (o.op === 'add' || o.op === 'replace') item.fields[field] = o.value;
        else return this.fail(400, `the fake does not ${o.op} fields`);
        continue;
      }
      if (o.path === '/relations/-' && o.op === 'add') {
        const relation = o.value as AdoRelation;
        const targetId = idFromUrl(relation.url);
        const target = targetId === null ? undefined : this.items.get(targetId);
        const link = LINKS[relation.rel];
        if (!target || !link)
          return this.fail(400, `TF201063: the link target ${relation.url} or type ${relation.rel} is not valid.`);
        if (target.id === item.id) return this.fail(400, 'TF201036: A work item cannot link to itself.');
        if (
          item.relations.some((r) => r.url === relation.url && (r.rel === relation.rel || r.rel === LINKS[relation.rel]!.reverse))
        )
          return this.fail(400, `TF201035: The link to ${target.id} already exists.`);
        if (relation.rel === 'System.LinkTypes.Hierarchy-Reverse') {
          if (item.relations.some((r) => r.rel === relation.rel))
            return this.fail(400, 'TF201036: A work item can have only one parent.');
          for (let p: number | null = target.id; p !== null; p = this.parentOf(p))
            if (p === item.id) return this.fail(400, 'TF201036: The link would create a circular hierarchy.');
        }
        const added = {
          rel: relation.rel,
          url: this.itemUrl(target.id),
          attributes: { isLocked: false, name: link.name, ...relation.attributes },
        };
        item.relations.push(added);
        linked.push({
          id: target.id,
          add: {
            rel: link.reverse,
            url: this.itemUrl(item.id),
            attributes: { isLocked: false, name: LINKS[link.reverse]!.name },
          },
        });
        continue;
      }
      const index = /^\/relations\/(\d+)$/.exec(o.path)?.[1];
      if (index !== undefined && o.op === 'remove') {
        const removed = item.relations[Number(index)];
        if (!removed) return this.fail(400, `there is no relation ${index}`);
        item.relations.splice(Number(index), 1);
        const targetId = idFromUrl(removed.url);
        if (targetId !== null)
          linked.push({ id: targetId, remove: { rel: LINKS[removed.rel]!.reverse, url: this.itemUrl(item.id), attributes: {} } });
        continue;
      }
      return this.fail(400, `the fake does not take ${o.op} ${o.path}`);
    }
    const type = String(item.fields['System.WorkItemType']);
    if (!TYPES.includes(type)) return this.fail(404, `TF51535: Work item type ${type} does not exist.`);
    const state = String(item.fields['System.State']);
    if (!STATES.some((s) => s.name === state))
      return this.fail(400, `TF401320: Rule Error for field State: '${state}' is not allowed.`);
    if (creating && state !== STATES[0]!.name)
      return this.fail(400, `TF401320: Rule Error for field State: a new ${type} starts as ${STATES[0]!.name}, not ${state}.`);
    const priority = item.fields['Microsoft.VSTS.Common.Priority'];
    if (priority !== undefined && (!Number.isInteger(priority) || (priority as number) < 1 || (priority as number) > 4))
      return this.fail(400, `TF401320: Rule Error for field Priority: ${JSON.stringify(priority)}.`);
    const path = String(item.fields['System.IterationPath']);
    const node = path === PROJECT ? this.root : [...this.iterations.values()].find((n) => `${PROJECT}\\${n.name}` === path);
    if (!node) return this.fail(400, `TF401347: Invalid tree name given for work item, field 'System.IterationPath': ${path}.`);
    item.fields['System.IterationId'] = node.id;
    if (typeof item.fields['System.Title'] !== 'string' || item.fields['System.Title'] === '')
      return this.fail(400, 'TF401320: Rule Error for field Title: it cannot be empty.');
    return { item, linked };
  }

  private parentOf(id: number): number | null {
    const rel = this.items.get(id)?.relations.find((r) => r.rel === 'System.LinkTypes.Hierarchy-Reverse');
    return rel ? idFromUrl(rel.url) : null;
  }

  private commit(item: AdoWorkItem, linked: { id: number; add?: AdoRelation; remove?: AdoRelation }[]): void {
    this.items.set(item.id, item);
    for (const change of linked) {
      const other = this.items.get(change.id);
      if (!other) continue;
      if (change.add) other.relations.push(change.add);
      if (change.remove)
        other.relations = other.relations.filter((r) => !(r.rel === change.remove!.rel && r.url === change.remove!.url));
      this.revise(other);
    }
  }

  // ---- handlers ---------------------------------------------------------------------------

  private handlers(): Record<string, Handler> {
    const inProject = (r: FakeRequest) => r.params.organization === ORG && r.params.project === PROJECT;
    const notFound = (what: string) =>
      this.fail(404, `TF401232: ${what} does not exist, or you do not have permissions to read it.`);
    const childNode = (r: FakeRequest) => [...this.iterations.values()].find((n) => n.name === r.params.path);
    return {
      [`POST /{organization}/{project}/{team}/_apis/wit/wiql`]: (r) => {
        if (!inProject(r) || r.params.team !== TEAM) return notFound(`Team ${r.params.team}`);
        const ids = this.wiql((r.body as { query?: string }).query ?? '', r.query.get('timePrecision') === 'true');
        if (!Array.isArray(ids)) return ids;
        const top = r.query.get('$top') === null ? undefined : Number(r.query.get('$top'));
        if (ids.length > WIQL_LIMIT && (top === undefined || top > WIQL_LIMIT))
          return this.fail(
            400,
            `VS402337: The number of work items returned exceeds the size limit of ${WIQL_LIMIT}. Change the query to return fewer items.`,
          );
        const shown = ids.slice(0, top ?? ids.length);
        return {
          status: 200,
          body: {
            queryType: 'flat',
            queryResultType: 'workItem',
            asOf: this.now(),
            columns: [{ referenceName: 'System.Id', name: 'ID', url: `${this.url}/${ORG}/_apis/wit/fields/System.Id` }],
            workItems: shown.map((id) => ({ id, url: this.itemUrl(id) })),
          },
        };
      },
      [`POST ${WIT}/workitemsbatch`]: (r) => {
        const body = r.body as { ids: number[]; $expand?: string; fields?: string[]; errorPolicy?: string };
        if (!Array.isArray(body.ids) || body.ids.length === 0 || body.ids.length > 200)
          return this.fail(400, 'VS403474: The number of ids must be between 1 and 200.');
        if (body.fields && body.$expand && body.$expand !== 'none')
          return this.fail(400, 'VS403473: The expand parameter can not be used with the fields parameter.');
        const missing = body.ids.filter((id) => !this.items.has(id));
        if (missing.length > 0 && body.errorPolicy !== 'omit') return notFound(`Work item ${missing[0]}`);
        return {
          status: 200,
          body: {
            count: body.ids.length,
            value: body.ids.map((id) => (this.items.has(id) ? this.itemJson(this.items.get(id)!, body.$expand) : null)),
          },
        };
      },
      [`POST ${WIT}/workitems/\${type}`]: (r) => {
        if (!inProject(r)) return notFound(`Project ${r.params.project}`);
        if (!TYPES.includes(r.params.type!)) return notFound(`Work item type ${r.params.type}`);
        const result = this.patch(
          this.newItem(r.params.type!, undefined),
          r.body as { op: string; path: string; value?: unknown }[],
          true,
        );
        if ('status' in result) return result;
        this.commit(result.item, result.linked);
        return { status: 200, body: this.itemJson(result.item, 'relations') };
      },
      [`GET ${WIT}/workitems/{id}`]: (r) => {
        const item = this.items.get(Number(r.params.id));
        return item
          ? { status: 200, body: this.itemJson(item, r.query.get('$expand') ?? undefined) }
          : notFound(`Work item ${r.params.id}`);
      },
      [`PATCH ${WIT}/workitems/{id}`]: (r) => {
        const item = this.items.get(Number(r.params.id));
        if (!item) return notFound(`Work item ${r.params.id}`);
        const result = this.patch(item, r.body as { op: string; path: string; value?: unknown }[], false);
        if ('status' in result) return result;
        this.revise(result.item);
        this.commit(result.item, result.linked);
        return { status: 200, body: this.itemJson(result.item, r.query.get('$expand') ?? undefined) };
      },
      [`DELETE ${WIT}/workitems/{id}`]: (r) => {
        const id = Number(r.params.id);
        if (!this.items.has(id)) return notFound(`Work item ${id}`);
        if (r.query.get('destroy') === 'true') return this.fail(400, 'the fake does not destroy work items');
        this.remove(id);
        return { status: 200, body: this.deletedJson(id, this.recycleBin.get(id)!) };
      },
      [`GET ${WIT}/recyclebin/{id}`]: (r) => {
        const entry = this.recycleBin.get(Number(r.params.id));
        return entry ? { status: 200, body: this.deletedJson(Number(r.params.id), entry) } : notFound(`Work item ${r.params.id}`);
      },

      [`GET ${WIT}/workItems/{workItemId}/comments`]: (r) => {
        const id = Number(r.params.workItemId);
        if (!this.items.has(id)) return notFound(`Work item ${id}`);
        const all = [...this.comments.values()]
          .filter((c) => c.workItemId === id && (r.query.get('includeDeleted') === 'true' || !c.isDeleted))
          .sort((a, b) => a.id - b.id);
        const top = Math.min(Number(r.query.get('$top') ?? 200), 200);
        const from = Number(r.query.get('continuationToken') ?? 0);
        const page = all.slice(from, from + top);
        return {
          status: 200,
          body: {
            totalCount: all.length,
            count: page.length,
            comments: page.map((c) => this.commentJson(c)),
            ...(from + top < all.length ? { continuationToken: String(from + top) } : {}),
            url: `${this.itemUrl(id)}/comments`,
          },
        };
      },
      [`POST ${WIT}/workItems/{workItemId}/comments`]: (r) => {
        const item = this.items.get(Number(r.params.workItemId));
        if (!item) return notFound(`Work item ${r.params.workItemId}`);
        const text = (r.body as { text?: string }).text ?? '';
        if (text === '') return this.fail(400, 'VS403691: The comment text cannot be empty.');
        return { status: 200, body: this.commentJson(this.comment(item.id, text)) };
      },
      [`GET ${WIT}/workItems/{workItemId}/comments/{commentId}`]: (r) => {
        const c = this.comments.get(Number(r.params.commentId));
        if (!c || c.workItemId !== Number(r.params.workItemId) || (c.isDeleted && r.query.get('includeDeleted') !== 'true'))
          return notFound(`Comment ${r.params.commentId}`);
        return { status: 200, body: this.commentJson(c) };
      },
      [`PATCH ${WIT}/workItems/{workItemId}/comments/{commentId}`]: (r) => {
        const c = this.comments.get(Number(r.params.commentId));
        if (!c || c.isDeleted || c.workItemId !== Number(r.params.workItemId)) return notFound(`Comment ${r.params.commentId}`);
        c.text = (r.body as { text?: string }).text ?? '';
        c.version++;
        c.modifiedDate = this.now();
        return { status: 200, body: this.commentJson(c) };
      },
      [`DELETE ${WIT}/workItems/{workItemId}/comments/{commentId}`]: (r) => {
        const c = this.comments.get(Number(r.params.commentId));
        if (!c || c.isDeleted || c.workItemId !== Number(r.params.workItemId)) return notFound(`Comment ${r.params.commentId}`);
        c.isDeleted = true;
        c.modifiedDate = this.now();
        return { status: 200 };
      },

      [`GET ${WIT}/workitemtypes`]: (r) =>
        inProject(r)
          ? {
              status: 200,
              body: {
                count: TYPES.length,
                value: TYPES.map((name) => ({
                  name,
                  referenceName: `Microsoft.VSTS.WorkItemTypes.${name.replace(/ /g, '')}`,
                  description: name,
                  color: '009CCC',
                  isDisabled: false,
                  states: STATES,
                  url: `${this.url}/${ORG}/${PROJECT}/_apis/wit/workItemTypes/${encodeURIComponent(name)}`,
                })),
              },
            }
          : notFound(`Project ${r.params.project}`),
      [`GET ${WIT}/workitemtypes/{type}/states`]: (r) =>
        TYPES.includes(r.params.type!)
          ? { status: 200, body: { count: STATES.length, value: STATES } }
          : notFound(`Work item type ${r.params.type}`),
      [`GET ${WIT}/fields/{fieldNameOrRefName}`]: (r) =>
        r.params.fieldNameOrRefName === 'Custom.PmId' && this.options.pmIdField !== false
          ? {
              status: 200,
              body: {
                name: 'pm id',
                referenceName: 'Custom.PmId',
                type: 'string',
                usage: 'workItem',
                readOnly: false,
                canSortBy: true,
                isQueryable: true,
                isIdentity: false,
                isPicklist: false,
                isDeleted: false,
                isLocked: false,
                url: `${this.url}/${ORG}/_apis/wit/fields/Custom.PmId`,
              },
            }
          : notFound(`Field ${r.params.fieldNameOrRefName}`),

      [`GET ${WIT}/classificationnodes`]: (r) => {
        const depth = Number(r.query.get('$depth') ?? 0);
        const area = {
          id: this.areaRoot.id,
          identifier: this.areaRoot.identifier,
          name: PROJECT,
          structureType: 'area',
          hasChildren: false,
          path: `\\${PROJECT}\\Area`,
          url: `${this.url}/${ORG}/${PROJECT}/_apis/wit/classificationNodes/Areas`,
        };
        return { status: 200, body: { count: 2, value: [area, this.nodeJson(this.root, depth, [...this.iterations.values()])] } };
      },
      [`POST ${WIT}/classificationnodes/{structureGroup}`]: (r) => {
        if (r.params.structureGroup !== 'iterations') return this.fail(400, 'the fake makes iterations only');
        const body = r.body as { name?: string; attributes?: { startDate?: string; finishDate?: string } };
        if (!body.name) return this.fail(400, 'VS402371: The node name cannot be empty.');
        if ([...this.iterations.values()].some((n) => n.name === body.name))
          return this.fail(
            409,
            `VS402371: Classification node name ${body.name} is already in use.`,
            'ClassificationNodeDuplicateNameException',
          );
        const node: Node = { id: this.next++, identifier: randomUUID(), name: body.name, ...dates(body.attributes) };
        this.iterations.set(node.id, node);
        return { status: 200, body: this.nodeJson(node, 0) };
      },
      [`GET ${WIT}/classificationnodes/{structureGroup}/{path}`]: (r) => {
        const node = childNode(r);
        return node ? { status: 200, body: this.nodeJson(node, 0) } : notFound(`Node ${r.params.path}`);
      },
      [`POST ${WIT}/classificationnodes/{structureGroup}/{path}`]: () =>
        this.fail(400, 'the fake makes iterations at the top of the tree only'),
      [`PATCH ${WIT}/classificationnodes/{structureGroup}/{path}`]: (r) => {
        const node = childNode(r);
        if (!node) return notFound(`Node ${r.params.path}`);
        const body = r.body as { name?: string; attributes?: { startDate?: string; finishDate?: string } };
        const oldPath = `${PROJECT}\\${node.name}`;
        if (body.name && body.name !== node.name && [...this.iterations.values()].some((n) => n.name === body.name))
          return this.fail(
            409,
            `VS402371: Classification node name ${body.name} is already in use.`,
            'ClassificationNodeDuplicateNameException',
          );
        if (body.name) node.name = body.name;
        if (body.attributes) Object.assign(node, { startDate: undefined, finishDate: undefined }, dates(body.attributes));
        // A rename moves the path of the work items in it (without a revision).
        for (const item of this.items.values())
          if (item.fields['System.IterationPath'] === oldPath) item.fields['System.IterationPath'] = `${PROJECT}\\${node.name}`;
        return { status: 200, body: this.nodeJson(node, 0) };
      },
      [`DELETE ${WIT}/classificationnodes/{structureGroup}/{path}`]: (r) => {
        const node = childNode(r);
        if (!node) return notFound(`Node ${r.params.path}`);
        const target = Number(r.query.get('$reclassifyId') ?? NaN);
        const to = target === this.root.id ? this.root : this.iterations.get(target);
        if (!to) return this.fail(400, 'VS402372: $reclassifyId must name the node the work items move to.');
        for (const item of this.items.values())
          if (item.fields['System.IterationId'] === node.id) {
            item.fields['System.IterationId'] = to.id;
            item.fields['System.IterationPath'] = to === this.root ? PROJECT : `${PROJECT}\\${to.name}`;
            this.revise(item);
          }
        this.iterations.delete(node.id);
        this.teamIterations.delete(node.identifier);
        return { status: 200 };
      },

      [`GET /{organization}/{project}/{team}/_apis/work/teamsettings/iterations`]: (r) => {
        if (!inProject(r) || r.params.team !== TEAM) return notFound(`Team ${r.params.team}`);
        const nodes = [...this.iterations.values()].filter((n) => this.teamIterations.has(n.identifier));
        return { status: 200, body: { count: nodes.length, value: nodes.map((n) => this.teamIterationJson(n)) } };
      },
      [`POST /{organization}/{project}/{team}/_apis/work/teamsettings/iterations`]: (r) => {
        if (!inProject(r) || r.params.team !== TEAM) return notFound(`Team ${r.params.team}`);
        const node = [...this.iterations.values()].find((n) => n.identifier === (r.body as { id?: string }).id);
        if (!node) return notFound('Iteration');
        this.teamIterations.add(node.identifier);
        return { status: 200, body: this.teamIterationJson(node) };
      },
      [`DELETE /{organization}/{project}/{team}/_apis/work/teamsettings/iterations/{id}`]: (r) =>
        this.teamIterations.delete(r.params.id!) ? { status: 200 } : notFound(`Iteration ${r.params.id}`),
    };
  }

  comment(workItemId: number, text: string): AdoComment {
    const now = this.now();
    const c: AdoComment = {
      id: this.next++,
      workItemId,
      version: 1,
      text,
      isDeleted: false,
      createdDate: now,
      modifiedDate: now,
    };
    this.comments.set(c.id, c);
    // A comment is a revision of its work item.
    const item = this.items.get(workItemId)!;
    item.fields['System.CommentCount'] = Number(item.fields['System.CommentCount'] ?? 0) + 1;
    this.revise(item);
    return c;
  }
}

function idFromUrl(url: string): number | null {
  const m = /\/workItems\/(\d+)$/i.exec(url);
  return m ? Number(m[1]) : null;
}

function compare(a: number | string, b: number | string, op: string): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    default:
      return false;
  }
}

function dates(attributes: { startDate?: string; finishDate?: string } | undefined): Partial<Node> {
  return {
    ...(attributes?.startDate ? { startDate: attributes.startDate } : {}),
    ...(attributes?.finishDate ? { finishDate: attributes.finishDate } : {}),
  };
}
