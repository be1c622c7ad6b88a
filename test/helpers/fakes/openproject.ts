import { join } from 'node:path';
import { OPENPROJECT_OVERLAY } from '../../fixtures/api-specs/overlays.js';
import { ApiSpec } from '../openapi.js';
import { FakeService, type FakeAnswer, type FakeRequest, type Handler } from './spec-fake.js';

/**
 * OpenProject's API v3 as a stateful fake, checked against the official OpenAPI document
 * (test/fixtures/api-specs/openproject-v3.json with the overlay). It keeps what a real instance
 * keeps for one project and answers as one does: HAL+JSON, Basic `apikey:` auth, page numbers
 * as offsets, the default "open work packages only" filter, `<>d` date-time filters compared in
 * whole seconds, lockVersion checked on PATCH (409), a journal per change, a comment's journal
 * moving its work package's updatedAt (an edit of the comment does not), no delete of activities.
 */

export const OPENPROJECT_SPEC = join(import.meta.dirname, '../../fixtures/api-specs/openproject-v3.json');
const API = '/api/v3';

interface Wp {
  id: number;
  lockVersion: number;
  subject: string;
  description: string;
  typeId: number;
  statusId: number;
  priorityId: number;
  parentId: number | null;
  versionId: number | null;
  pmId: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Version {
  id: number;
  name: string;
  description: string;
  startDate: string | null;
  endDate: string | null;
  status: 'open' | 'locked' | 'closed';
  createdAt: string;
  updatedAt: string;
}
interface Relation {
  id: number;
  type: string;
  from: number;
  to: number;
}
interface Journal {
  id: number;
  wpId: number;
  version: number;
  comment: string;
  isComment: boolean;
  userId: number;
  createdAt: string;
  updatedAt: string;
}
interface TimeEntry {
  id: number;
  wpId: number;
  hours: string;
  spentOn: string;
  comment: string;
  pmId: string | null;
  userId: number;
  createdAt: string;
  updatedAt: string;
}

const TYPES = ['Task', 'Milestone', 'Phase', 'Feature', 'Epic', 'User story', 'Bug'].map((name, i) => ({ id: i + 1, name }));
const STATUSES = [
  { id: 1, name: 'New', isClosed: false, isDefault: true },
  { id: 7, name: 'In progress', isClosed: false, isDefault: false },
  { id: 9, name: 'In testing', isClosed: false, isDefault: false },
  { id: 12, name: 'Closed', isClosed: true, isDefault: false },
  { id: 13, name: 'On hold', isClosed: false, isDefault: false },
  { id: 14, name: 'Rejected', isClosed: true, isDefault: false },
];
const PRIORITIES = [
  { id: 7, name: 'Low', isDefault: false },
  { id: 8, name: 'Normal', isDefault: true },
  { id: 9, name: 'High', isDefault: false },
  { id: 10, name: 'Immediate', isDefault: false },
];
const PROJECT = { id: 3, identifier: 'website', name: 'Website' };
const USER = { id: 5, login: 'pm-bot', name: 'pm bot' };
/** The custom fields named "pm id" for work packages and for time entries. */
const WP_FIELD = 'customField11';
const TIME_FIELD = 'customField12';

const link = (href: string | null, title?: string) => (title === undefined ? { href } : { href, title });
const formattable = (raw: string, format: 'markdown' | 'plain' = 'markdown') => ({
  format,
  raw,
  html: raw === '' ? '' : `<p>${raw.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
});
const idOf = (href: unknown): number | null => {
  const m = /\/(\d+)$/.exec(String((href as { href?: string } | null)?.href ?? ''));
  return m ? Number(m[1]) : null;
};
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export interface OpenProjectFakeOptions {
  token?: string;
  /** Whether the "pm id" custom fields exist (an administrator creates them). */
  pmIdFields?: boolean;
}

export class OpenProjectFake extends FakeService {
  readonly token: string;
  readonly project = PROJECT;
  readonly wps = new Map<number, Wp>();
  readonly versions = new Map<number, Version>();
  readonly relations = new Map<number, Relation>();
  readonly journals = new Map<number, Journal>();
  readonly timeEntries = new Map<number, TimeEntry>();
  private readonly spec = ApiSpec.load(OPENPROJECT_SPEC, OPENPROJECT_OVERLAY);
  private next = 100;

  constructor(private readonly options: OpenProjectFakeOptions = {}) {
    super();
    this.token = options.token ?? 'opapi-fake-token';
    this.serve({
      specs: [this.spec],
      handlers: this.handlers(),
      authorized: (header) => header === `Basic ${Buffer.from(`apikey:${this.token}`).toString('base64')}`,
      error: (status, message) => this.error(status, message),
      undocumented: {
        statuses: [400, 401, 404, 409, 422],
        check: (body) => this.spec.checkAgainst('#/components/schemas/ErrorResponse', body),
      },
      headers: () => ({ Date: new Date().toUTCString() }),
    });
  }

  private id(): number {
    return this.next++;
  }

  private error(status: number, message: string) {
    const id =
      {
        400: 'InvalidQuery',
        401: 'Unauthenticated',
        404: 'NotFound',
        409: 'UpdateConflict',
        422: 'PropertyConstraintViolation',
      }[status] ?? 'InternalServerError';
    return { _type: 'Error', errorIdentifier: `urn:openproject-org:api:v3:errors:${id}`, message };
  }

  private fail(status: number, message: string): FakeAnswer {
    return { status, body: this.error(status, message) };
  }

  // ---- what other users do --------------------------------------------------------------

  /** Someone else creates a work package. */
  addWorkPackage(fields: { subject: string; type?: string; status?: string; parentId?: number }): Wp {
    const now = this.now();
    const wp: Wp = {
      id: this.id(),
      lockVersion: 0,
      subject: fields.subject,
      description: '',
      typeId: TYPES.find((t) => t.name === (fields.type ?? 'Task'))!.id,
      statusId: STATUSES.find((s) => s.name === (fields.status ?? 'New'))!.id,
      priorityId: 8,
      parentId: fields.parentId ?? null,
      versionId: null,
      pmId: null,
      createdAt: now,
      updatedAt: now,
    };
    this.wps.set(wp.id, wp);
    this.journal(wp.id, '', false);
    return wp;
  }

  /** Someone else edits a work package (lockVersion and updatedAt move, a journal is written). */
  editWorkPackage(id: number, change: Partial<Pick<Wp, 'subject' | 'description' | 'statusId'>>): void {
    const wp = this.wps.get(id)!;
    Object.assign(wp, change, { lockVersion: wp.lockVersion + 1, updatedAt: this.now() });
    this.journal(id, '', false);
  }

  /** Someone else comments on a work package. */
  comment(id: number, text: string): Journal {
    return this.journal(id, text, true);
  }

  deleteWorkPackage(id: number): void {
    for (const child of [...this.wps.values()].filter((w) => w.parentId === id)) this.deleteWorkPackage(child.id);
    this.wps.delete(id);
    for (const [rid, r] of this.relations) if (r.from === id || r.to === id) this.relations.delete(rid);
    for (const [jid, j] of this.journals) if (j.wpId === id) this.journals.delete(jid);
    for (const [tid, t] of this.timeEntries) if (t.wpId === id) this.timeEntries.delete(tid);
  }

  private journal(wpId: number, comment: string, isComment: boolean): Journal {
    const now = this.now();
    const version = [...this.journals.values()].filter((j) => j.wpId === wpId).length + 1;
    const journal = { id: this.id(), wpId, version, comment, isComment, userId: USER.id, createdAt: now, updatedAt: now };
    this.journals.set(journal.id, journal);
    // A comment is a change of the work package: its updatedAt moves.
    const wp = this.wps.get(wpId);
    if (isComment && wp) wp.updatedAt = now;
    return journal;
  }

  // ---- representations ------------------------------------------------------------------

  private wpJson(wp: Wp) {
    const type = TYPES.find((t) => t.id === wp.typeId)!;
    const status = STATUSES.find((s) => s.id === wp.statusId)!;
    const priority = PRIORITIES.find((p) => p.id === wp.priorityId)!;
    const ancestors: { href: string; title: string }[] = [];
    for (let p = wp.parentId; p !== null; p = this.wps.get(p)?.parentId ?? null) {
      const parent = this.wps.get(p);
      if (!parent) break;
      ancestors.unshift({ href: `${API}/work_packages/${parent.id}`, title: parent.subject });
    }
    const parent = wp.parentId === null ? null : this.wps.get(wp.parentId);
    const version = wp.versionId === null ? null : this.versions.get(wp.versionId);
    return {
      _type: 'WorkPackage',
      id: wp.id,
      lockVersion: wp.lockVersion,
      subject: wp.subject,
      description: formattable(wp.description),
      scheduleManually: true,
      startDate: null,
      dueDate: null,
      createdAt: wp.createdAt,
      updatedAt: wp.updatedAt,
      [WP_FIELD]: wp.pmId,
      _links: {
        self: link(`${API}/work_packages/${wp.id}`, wp.subject),
        schema: link(`${API}/work_packages/schemas/${PROJECT.id}-${type.id}`),
        ancestors,
        author: link(`${API}/users/${USER.id}`, USER.name),
        type: link(`${API}/types/${type.id}`, type.name),
        status: link(`${API}/statuses/${status.id}`, status.name),
        priority: link(`${API}/priorities/${priority.id}`, priority.name),
        project: link(`${API}/projects/${PROJECT.id}`, PROJECT.name),
        parent: parent ? link(`${API}/work_packages/${parent.id}`, parent.subject) : link(null),
        version: version ? link(`${API}/versions/${version.id}`, version.name) : link(null),
      },
    };
  }

  private versionJson(v: Version) {
    return {
      _type: 'Version',
      id: v.id,
      name: v.name,
      description: formattable(v.description),
      startDate: v.startDate,
      endDate: v.endDate,
      status: v.status,
      sharing: 'none',
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      _links: {
        self: link(`${API}/versions/${v.id}`, v.name),
        schema: link(`${API}/versions/schema`),
        definingProject: link(`${API}/projects/${PROJECT.id}`, PROJECT.name),
        availableInProjects: link(`${API}/versions/${v.id}/projects`),
      },
    };
  }

  private relationJson(r: Relation) {
    const from = this.wps.get(r.from);
    const to = this.wps.get(r.to);
    const reverse: Record<string, string> = { blocks: 'blocked', relates: 'relates', precedes: 'follows', follows: 'precedes' };
    return {
      _type: 'Relation',
      id: r.id,
      name: r.type,
      type: r.type,
      reverseType: reverse[r.type] ?? r.type,
      description: null,
      lag: r.type === 'precedes' ? 0 : null,
      _links: {
        self: link(`${API}/relations/${r.id}`),
        from: link(`${API}/work_packages/${r.from}`, from?.subject ?? ''),
        to: link(`${API}/work_packages/${r.to}`, to?.subject ?? ''),
      },
    };
  }

  private journalJson(j: Journal) {
    return {
      _type: j.isComment ? 'Activity::Comment' : 'Activity',
      id: j.id,
      version: j.version,
      comment: formattable(j.comment),
      details: j.isComment ? [] : [formattable('Changed', 'plain')],
      internal: false,
      createdAt: j.createdAt,
      updatedAt: j.updatedAt,
      _links: {
        self: link(`${API}/activities/${j.id}`),
        workPackage: link(`${API}/work_packages/${j.wpId}`),
        user: link(`${API}/users/${j.userId}`, USER.name),
      },
    };
  }

  private timeJson(t: TimeEntry) {
    return {
      _type: 'TimeEntry',
      id: t.id,
      comment: formattable(t.comment, 'plain'),
      spentOn: t.spentOn,
      hours: t.hours,
      ongoing: false,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      [TIME_FIELD]: t.pmId,
      _links: {
        self: link(`${API}/time_entries/${t.id}`),
        project: link(`${API}/projects/${PROJECT.id}`, PROJECT.name),
        entity: link(`${API}/work_packages/${t.wpId}`, this.wps.get(t.wpId)?.subject ?? ''),
        user: link(`${API}/users/${t.userId}`, USER.name),
        activity: link(`${API}/time_entries/activities/1`, 'Development'),
      },
    };
  }

  private collection(self: string, elements: unknown[], total = elements.length, paging?: { pageSize: number; offset: number }) {
    return {
      _type: 'Collection',
      total,
      count: elements.length,
      ...(paging ?? {}),
      _embedded: { elements },
      _links: { self: link(self) },
    };
  }

  // ---- filters ----------------------------------------------------------------------------

  /** OpenProject's filter JSON: [{ name: { operator, values } }]; a name it does not know is a 400. */
  private filters(
    request: FakeRequest,
    known: readonly string[],
  ): { name: string; operator: string; values: string[] }[] | FakeAnswer {
    const text = request.query.get('filters');
    if (text === null) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.fail(400, 'filters: not JSON');
    }
    if (!Array.isArray(parsed)) return this.fail(400, 'filters: expected an array');
    const out: { name: string; operator: string; values: string[] }[] = [];
    for (const entry of parsed as Record<string, { operator: string; values: string[] | null }>[]) {
      const [name, spec] = Object.entries(entry)[0] ?? [];
      if (!name || !spec) return this.fail(400, 'filters: empty filter');
      if (!known.includes(name) && !/^customField\d+$/.test(name)) return this.fail(400, `filters: ${name} does not exist`);
      out.push({ name, operator: spec.operator, values: spec.values ?? [] });
    }
    return out;
  }

  /** The rows updated within a `<>d` interval, compared in whole seconds with both ends included. */
  private updatedBetween<T extends { updatedAt: string }>(
    rows: T[],
    f: { operator: string; values: string[] },
  ): T[] | FakeAnswer {
    if (f.operator !== '<>d' || f.values.length !== 2 || f.values.some((v) => Number.isNaN(Date.parse(v))))
      return this.fail(400, `filters: ${f.operator} ${JSON.stringify(f.values)}: expected <>d with two date-times`);
    const [from, to] = f.values.map(seconds) as [number, number];
    return rows.filter((r) => seconds(r.updatedAt) >= from && seconds(r.updatedAt) <= to);
  }

  /** One page of a collection: `offset` is a page number, `pageSize` at most 1,000 (20 unless asked). */
  private paged<T>(request: FakeRequest, self: string, rows: T[], json: (row: T) => unknown): FakeAnswer {
    const pageSize = Math.min(Number(request.query.get('pageSize') ?? 20), 1000);
    const offset = Math.max(1, Number(request.query.get('offset') ?? 1));
    const page = rows.slice((offset - 1) * pageSize, offset * pageSize).map(json);
    return { status: 200, body: this.collection(self, page, rows.length, { pageSize, offset }) };
  }

  private sort<T extends { id: number; updatedAt: string }>(request: FakeRequest, rows: T[]): T[] | FakeAnswer {
    const text = request.query.get('sortBy');
    const criteria: [string, string][] = text ? (JSON.parse(text) as [string, string][]) : [['id', 'asc']];
    for (const [field] of criteria)
      if (!['id', 'updatedAt', 'updated_at'].includes(field))
        return this.fail(400, `sortBy: ${field} is not supported by the fake`);
    return [...rows].sort((a, b) => {
      for (const [field, direction] of criteria) {
        const [x, y] = field === 'id' ? [a.id, b.id] : [seconds(a.updatedAt), seconds(b.updatedAt)];
        if (x !== y) return (x < y ? -1 : 1) * (direction === 'desc' ? -1 : 1);
      }
      return 0;
    });
  }

  /** A collection of one of OpenProject's enumerations (statuses, priorities). */
  private enumeration(kind: string, type: string, list: readonly { id: number; name: string }[], extra = {}): FakeAnswer {
    const elements = list.map((e, i) => ({
      _type: type,
      ...e,
      position: i + 1,
      ...extra,
      _links: { self: link(`${API}/${kind}/${e.id}`, e.name) },
    }));
    return { status: 200, body: this.collection(`${API}/${kind}`, elements) };
  }

  // ---- handlers ---------------------------------------------------------------------------

  private handlers(): Record<string, Handler> {
    const wpOr404 = (r: FakeRequest) => this.wps.get(Number(r.params.id));
    return {
      [`GET ${API}/users/{id}`]: (r) =>
        r.params.id === 'me' || r.params.id === String(USER.id)
          ? {
              status: 200,
              body: {
                _type: 'User',
                id: USER.id,
                name: USER.name,
                login: USER.login,
                avatar: null,
                _links: { self: link(`${API}/users/${USER.id}`, USER.name) },
              },
            }
          : this.fail(404, 'The specified user does not exist.'),
      [`GET ${API}/projects/{id}`]: (r) =>
        r.params.id === PROJECT.identifier || r.params.id === String(PROJECT.id)
          ? {
              status: 200,
              body: {
                _type: 'Project',
                id: PROJECT.id,
                identifier: PROJECT.identifier,
                name: PROJECT.name,
                active: true,
                _links: {
                  self: link(`${API}/projects/${PROJECT.id}`, PROJECT.name),
                  categories: link(`${API}/projects/${PROJECT.id}/categories`),
                },
              },
            }
          : this.fail(404, 'The requested resource could not be found.'),
      [`GET ${API}/projects/{id}/types`]: () => ({
        status: 200,
        body: this.collection(
          `${API}/projects/${PROJECT.id}/types`,
          TYPES.map((t, i) => ({
            _type: 'Type',
            id: t.id,
            name: t.name,
            color: null,
            position: i + 1,
            isDefault: t.name === 'Task',
            isMilestone: t.name === 'Milestone',
            createdAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:00.000Z',
            _links: { self: link(`${API}/types/${t.id}`, t.name) },
          })),
        ),
      }),
      [`GET ${API}/statuses`]: () => this.enumeration('statuses', 'Status', STATUSES),
      [`GET ${API}/priorities`]: () => this.enumeration('priorities', 'Priority', PRIORITIES, { isActive: true }),
      [`GET ${API}/work_packages/schemas/{identifier}`]: (r) => ({
        status: 200,
        body: {
          _type: 'Schema',
          _dependencies: [],
          subject: { type: 'String', name: 'Subject', required: true, hasDefault: false, writable: true },
          ...(this.options.pmIdFields === false
            ? {}
            : { [WP_FIELD]: { type: 'String', name: 'pm id', required: false, hasDefault: false, writable: true } }),
          _links: { self: link(`${API}/work_packages/schemas/${r.params.identifier}`) },
        },
      }),
      [`GET ${API}/time_entries/schema`]: () => ({
        status: 200,
        body: {
          _type: 'Schema',
          _dependencies: [],
          ...(this.options.pmIdFields === false
            ? {}
            : { [TIME_FIELD]: { type: 'String', name: 'pm id', required: false, hasDefault: false, writable: true } }),
          _links: { self: link(`${API}/time_entries/schema`) },
        },
      }),

      [`GET ${API}/work_packages`]: (r) => {
        const filters = this.filters(r, ['project', 'status', 'updatedAt', 'id']);
        if (!Array.isArray(filters)) return filters;
        let rows = [...this.wps.values()];
        // Without filters OpenProject shows open work packages only.
        if (r.query.get('filters') === null) rows = rows.filter((w) => !STATUSES.find((s) => s.id === w.statusId)!.isClosed);
        for (const f of filters) {
          if (f.name === 'project') rows = rows.filter(() => f.values.includes(String(PROJECT.id)));
          else if (f.name === 'status') {
            if (f.operator === 'o') rows = rows.filter((w) => !STATUSES.find((s) => s.id === w.statusId)!.isClosed);
            else if (f.operator !== '*') return this.fail(400, `filters: status ${f.operator} is not supported by the fake`);
          } else if (f.name === 'updatedAt') {
            const kept = this.updatedBetween(rows, f);
            if (!Array.isArray(kept)) return kept;
            rows = kept;
          } else if (f.name === 'id') rows = rows.filter((w) => f.values.includes(String(w.id)));
          else if (f.name === WP_FIELD) {
            if (f.operator !== '=') return this.fail(400, `filters: ${f.name} ${f.operator} is not supported by the fake`);
            rows = rows.filter((w) => w.pmId !== null && f.values.includes(w.pmId));
          } else return this.fail(400, `filters: ${f.name} does not exist`);
        }
        const sorted = this.sort(r, rows);
        if (!Array.isArray(sorted)) return sorted;
        return this.paged(r, `${API}/work_packages`, sorted, (w) => this.wpJson(w));
      },
      [`POST ${API}/projects/{id}/work_packages`]: (r) => {
        if (r.params.id !== String(PROJECT.id) && r.params.id !== PROJECT.identifier)
          return this.fail(404, 'The specified project does not exist.');
        const body = r.body as Record<string, unknown> & { _links?: Record<string, unknown> };
        if (typeof body.subject !== 'string' || body.subject === '') return this.fail(422, "Subject can't be blank.");
        const now = this.now();
        const wp: Wp = {
          id: this.id(),
          lockVersion: 0,
          subject: body.subject,
          description: (body.description as { raw?: string } | undefined)?.raw ?? '',
          typeId: TYPES[0]!.id,
          statusId: STATUSES[0]!.id,
          priorityId: 8,
          parentId: null,
          versionId: null,
          pmId: null,
          createdAt: now,
          updatedAt: now,
        };
        const invalid = this.applyLinks(wp, body);
        if (invalid) return invalid;
        this.wps.set(wp.id, wp);
        this.journal(wp.id, '', false);
        return { status: 201, body: this.wpJson(wp) };
      },
      [`GET ${API}/work_packages/{id}`]: (r) => {
        const wp = wpOr404(r);
        return wp ? { status: 200, body: this.wpJson(wp) } : this.fail(404, 'The specified work package does not exist.');
      },
      [`PATCH ${API}/work_packages/{id}`]: (r) => {
        const wp = wpOr404(r);
        if (!wp) return this.fail(404, 'The specified work package does not exist.');
        const body = r.body as Record<string, unknown> & { lockVersion: number };
        if (body.lockVersion !== wp.lockVersion)
          return this.fail(409, 'Your changes could not be saved, because the work package was changed by someone else.');
        const next = { ...wp };
        if (typeof body.subject === 'string') next.subject = body.subject;
        if (body.description !== undefined) next.description = (body.description as { raw?: string }).raw ?? '';
        const invalid = this.applyLinks(next, body);
        if (invalid) return invalid;
        Object.assign(wp, next, { lockVersion: wp.lockVersion + 1, updatedAt: this.now() });
        this.journal(wp.id, '', false);
        return { status: 200, body: this.wpJson(wp) };
      },
      [`DELETE ${API}/work_packages/{id}`]: (r) => {
        if (!wpOr404(r)) return this.fail(404, 'The specified work package does not exist.');
        this.deleteWorkPackage(Number(r.params.id));
        return { status: 204 };
      },

      [`GET ${API}/relations`]: (r) => {
        const filters = this.filters(r, ['id', 'from', 'to', 'involved', 'type']);
        if (!Array.isArray(filters)) return filters;
        let rows = [...this.relations.values()];
        for (const f of filters) {
          if (f.operator !== '=') return this.fail(400, `filters: ${f.name} ${f.operator} is not supported by the fake`);
          const match: Record<string, (x: Relation) => boolean> = {
            id: (x) => f.values.includes(String(x.id)),
            from: (x) => f.values.includes(String(x.from)),
            to: (x) => f.values.includes(String(x.to)),
            involved: (x) => f.values.includes(String(x.from)) || f.values.includes(String(x.to)),
            type: (x) => f.values.includes(x.type),
          };
          rows = rows.filter(match[f.name]!);
        }
        rows.sort((a, b) => a.id - b.id);
        return this.paged(r, `${API}/relations`, rows, (x) => this.relationJson(x));
      },
      [`POST ${API}/work_packages/{id}/relations`]: (r) => {
        const from = wpOr404(r);
        const body = r.body as { type: string; _links?: { to?: { href: string } } };
        const to = this.wps.get(idOf(body._links?.to) ?? -1);
        if (!from || !to) return this.fail(422, 'The related work package does not exist.');
        const between = [...this.relations.values()].some(
          (x) => (x.from === from.id && x.to === to.id) || (x.from === to.id && x.to === from.id),
        );
        if (between) return this.fail(409, 'There already exists a relation between these work packages.');
        const relation: Relation =
          body.type === 'blocked'
            ? { id: this.id(), type: 'blocks', from: to.id, to: from.id }
            : { id: this.id(), type: body.type, from: from.id, to: to.id };
        this.relations.set(relation.id, relation);
        return { status: 201, body: this.relationJson(relation) };
      },
      [`GET ${API}/relations/{id}`]: (r) => {
        const relation = this.relations.get(Number(r.params.id));
        return relation ? { status: 200, body: this.relationJson(relation) } : this.fail(404, 'The relation does not exist.');
      },
      [`DELETE ${API}/relations/{id}`]: (r) => {
        if (!this.relations.delete(Number(r.params.id))) return this.fail(404, 'The relation does not exist.');
        return { status: 204 };
      },

      [`GET ${API}/work_packages/{id}/activities`]: (r) => {
        const wp = wpOr404(r);
        if (!wp) return this.fail(404, 'The specified work package does not exist.');
        const journals = [...this.journals.values()].filter((j) => j.wpId === wp.id).sort((a, b) => a.version - b.version);
        return {
          status: 200,
          body: this.collection(
            `${API}/work_packages/${wp.id}/activities`,
            journals.map((j) => this.journalJson(j)),
          ),
        };
      },
      [`POST ${API}/work_packages/{id}/activities`]: (r) => {
        const wp = wpOr404(r);
        if (!wp) return this.fail(404, 'The specified work package does not exist.');
        const raw = (r.body as { comment?: { raw?: string } }).comment?.raw ?? '';
        if (raw === '') return this.fail(422, "Comment can't be blank.");
        return { status: 201, body: this.journalJson(this.comment(wp.id, raw)) };
      },
      [`GET ${API}/activities/{id}`]: (r) => {
        const journal = this.journals.get(Number(r.params.id));
        return journal ? { status: 200, body: this.journalJson(journal) } : this.fail(404, 'The activity does not exist.');
      },
      [`PATCH ${API}/activities/{id}`]: (r) => {
        const journal = this.journals.get(Number(r.params.id));
        if (!journal) return this.fail(404, 'The activity does not exist.');
        journal.comment = (r.body as { comment?: { raw?: string } }).comment?.raw ?? '';
        journal.updatedAt = this.now();
        return { status: 200, body: this.journalJson(journal) };
      },

      [`GET ${API}/time_entries`]: (r) => {
        const filters = this.filters(r, ['project_id', 'updated_at', 'entity_type', 'entity_id', 'user_id']);
        if (!Array.isArray(filters)) return filters;
        let rows = [...this.timeEntries.values()];
        for (const f of filters) {
          if (f.name === 'project_id') rows = rows.filter(() => f.values.includes(String(PROJECT.id)));
          else if (f.name === 'updated_at') {
            const kept = this.updatedBetween(rows, f);
            if (!Array.isArray(kept)) return kept;
            rows = kept;
          } else if (f.name === 'entity_id') rows = rows.filter((t) => f.values.includes(String(t.wpId)));
        }
        const sorted = this.sort(r, rows);
        if (!Array.isArray(sorted)) return sorted;
        return this.paged(r, `${API}/time_entries`, sorted, (t) => this.timeJson(t));
      },
      [`POST ${API}/time_entries`]: (r) => {
        const body = r.body as Record<string, unknown> & { _links?: Record<string, unknown> };
        const wp = this.wps.get(idOf(body._links?.entity) ?? -1);
        if (!wp) return this.fail(422, 'Work package is invalid.');
        if (typeof body.hours !== 'string' || typeof body.spentOn !== 'string') return this.fail(422, "Hours can't be blank.");
        const now = this.now();
        const entry: TimeEntry = {
          id: this.id(),
          wpId: wp.id,
          hours: body.hours,
          spentOn: body.spentOn,
          comment: (body.comment as { raw?: string } | undefined)?.raw ?? '',
          pmId: typeof body[TIME_FIELD] === 'string' ? body[TIME_FIELD] : null,
          userId: USER.id,
          createdAt: now,
          updatedAt: now,
        };
        this.timeEntries.set(entry.id, entry);
        return { status: 201, body: this.timeJson(entry) };
      },
      [`GET ${API}/time_entries/{id}`]: (r) => {
        const entry = this.timeEntries.get(Number(r.params.id));
        return entry ? { status: 200, body: this.timeJson(entry) } : this.fail(404, 'The time entry does not exist.');
      },
      [`PATCH ${API}/time_entries/{id}`]: (r) => {
        const entry = this.timeEntries.get(Number(r.params.id));
        if (!entry) return this.fail(404, 'The time entry does not exist.');
        const body = r.body as Record<string, unknown>;
        if (typeof body.hours === 'string') entry.hours = body.hours;
        if (typeof body.spentOn === 'string') entry.spentOn = body.spentOn;
        if (body.comment !== undefined) entry.comment = (body.comment as { raw?: string }).raw ?? '';
        entry.updatedAt = this.now();
        return { status: 200, body: this.timeJson(entry) };
      },
      [`DELETE ${API}/time_entries/{id}`]: (r) =>
        this.timeEntries.delete(Number(r.params.id)) ? { status: 204 } : this.fail(404, 'The time entry does not exist.'),

      [`GET ${API}/projects/{id}/versions`]: () => ({
        status: 200,
        body: this.collection(
          `${API}/projects/${PROJECT.id}/versions`,
          [...this.versions.values()].map((v) => this.versionJson(v)),
        ),
      }),
      [`POST ${API}/versions`]: (r) => {
        const body = r.body as Record<string, unknown> & { _links?: Record<string, unknown> };
        if (idOf(body._links?.definingProject) !== PROJECT.id) return this.fail(422, 'Project is invalid.');
        if (typeof body.name !== 'string' || body.name === '') return this.fail(422, "Name can't be blank.");
        if ([...this.versions.values()].some((v) => v.name === body.name)) return this.fail(422, 'Name has already been taken.');
        const now = this.now();
        const version: Version = {
          id: this.id(),
          name: body.name,
          description: (body.description as { raw?: string } | undefined)?.raw ?? '',
          startDate: (body.startDate as string | null | undefined) ?? null,
          endDate: (body.endDate as string | null | undefined) ?? null,
          status: (body.status as Version['status'] | undefined) ?? 'open',
          createdAt: now,
          updatedAt: now,
        };
        if (version.startDate && version.endDate && version.startDate > version.endDate)
          return this.fail(422, 'Finish date must be after the start date.');
        this.versions.set(version.id, version);
        return { status: 201, body: this.versionJson(version) };
      },
      [`GET ${API}/versions/{id}`]: (r) => {
        const version = this.versions.get(Number(r.params.id));
        return version
          ? { status: 200, body: this.versionJson(version) }
          : this.fail(404, 'The requested resource could not be found.');
      },
      [`PATCH ${API}/versions/{id}`]: (r) => {
        const version = this.versions.get(Number(r.params.id));
        if (!version) return this.fail(404, 'The requested resource could not be found.');
        const body = r.body as Record<string, unknown>;
        const next = { ...version };
        if (typeof body.name === 'string') next.name = body.name;
        if (body.description !== undefined) next.description = (body.description as { raw?: string }).raw ?? '';
        if (body.startDate !== undefined) next.startDate = body.startDate as string | null;
        if (body.endDate !== undefined) next.endDate = body.endDate as string | null;
        if (typeof body.status === 'string') next.status = body.status as Version['status'];
        if (next.startDate && next.endDate && next.startDate > next.endDate)
          return this.fail(422, 'Finish date must be after the start date.');
        Object.assign(version, next, { updatedAt: this.now() });
        return { status: 200, body: this.versionJson(version) };
      },
      [`DELETE ${API}/versions/{id}`]: (r) => {
        const id = Number(r.params.id);
        if (!this.versions.has(id)) return this.fail(404, 'The requested resource could not be found.');
        if ([...this.wps.values()].some((w) => w.versionId === id))
          return this.fail(422, 'The version cannot be deleted: work packages are assigned to it.');
        this.versions.delete(id);
        return { status: 204 };
      },
    };
  }

  /** Writes the links and custom field of a create or update; a 422 for what does not exist. */
  private applyLinks(wp: Wp, body: Record<string, unknown> & { _links?: Record<string, unknown> }): FakeAnswer | undefined {
    const links = body._links ?? {};
    const pick = <T extends { id: number }>(name: string, all: readonly T[]) => {
      if (!(name in links)) return undefined;
      const id = idOf(links[name]);
      return id === null ? null : (all.find((x) => x.id === id) ?? 'invalid');
    };
    const type = pick('type', TYPES);
    const status = pick('status', STATUSES);
    const priority = pick('priority', PRIORITIES);
    if (type === 'invalid' || status === 'invalid' || priority === 'invalid')
      return this.fail(422, 'Type, status or priority is invalid.');
    if (type) wp.typeId = type.id;
    if (status) wp.statusId = status.id;
    if (priority) wp.priorityId = priority.id;
    if ('parent' in links) {
      const parentId = idOf(links.parent);
      if (parentId !== null && !this.wps.has(parentId)) return this.fail(422, 'Parent is invalid.');
      for (let p = parentId; p !== null; p = this.wps.get(p)?.parentId ?? null)
        if (p === wp.id) return this.fail(422, 'Parent cannot be a descendant of the work package.');
      wp.parentId = parentId;
    }
    if ('version' in links) {
      const versionId = idOf(links.version);
      if (versionId !== null && !this.versions.has(versionId)) return this.fail(422, 'Version is invalid.');
      wp.versionId = versionId;
    }
    if (WP_FIELD in body) wp.pmId = (body[WP_FIELD] as string | null) ?? null;
    return undefined;
  }
}
