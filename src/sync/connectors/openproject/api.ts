import { AuthError, ValidationError } from '../../../domain/index.js';
import { basicAuth, connectorHttp, type ConnectorSettings, type HttpClient, type ResponseHeaders } from '../sdk/index.js';
import type { OpenProjectSettings } from './index.js';

export const API = '/api/v3';
/** The custom field (on work packages and time entries) that holds pm's id: creates are never repeated. */
export const PM_ID_FIELD = 'pm id';
const PAGE = 100;
/** The far end of an open `<>d` interval: OpenProject wants both ends. */
const FAR_FUTURE = '9999-12-31T23:59:59Z';

export interface Link {
  href: string | null;
  title?: string;
}
export interface Formattable {
  format?: string;
  raw?: string;
}
export interface Collection<T> {
  total: number;
  count: number;
  _embedded: { elements: T[] };
}
export interface WorkPackage {
  id: number;
  lockVersion: number;
  subject: string;
  description?: Formattable;
  updatedAt: string;
  _links: Record<string, Link | Link[] | undefined>;
  [customField: string]: unknown;
}
export interface Version {
  id: number;
  name: string;
  description?: Formattable;
  startDate: string | null;
  endDate: string | null;
  status: string;
  updatedAt: string;
  _links: { definingProject?: Link };
}
export interface Relation {
  id: number;
  type: string;
  _links: { from: Link; to: Link };
}
export interface Activity {
  _type: string;
  id: number;
  comment?: Formattable;
  updatedAt?: string;
  createdAt?: string;
  _links: { workPackage?: Link; user?: Link };
}
export interface TimeEntryJson {
  id: number;
  hours: string;
  spentOn: string;
  comment?: Formattable;
  updatedAt: string;
  _links: { entity?: Link; workPackage?: Link };
  [customField: string]: unknown;
}

interface Named {
  id: number;
  name: string;
}

/** Ids pm reads once per run: the project, the account, types, statuses, priorities, the pm id fields. */
export interface Lookups {
  projectId: number;
  userId: number;
  types: Map<string, number>;
  statuses: Map<string, number>;
  closed: Set<string>;
  defaultStatus: string;
  priorities: Map<string, number>;
  /** `customFieldN` of the work packages' "pm id". */
  wpField: string;
  /** `customFieldN` of the time entries' "pm id". */
  timeField: string;
}

/** The id at the end of a link (`/api/v3/work_packages/12` → 12), or null for an empty link. */
export function idOf(link: Link | Link[] | undefined): number | null {
  const href = Array.isArray(link) ? undefined : link?.href;
  const match = href ? /\/(\d+)$/.exec(href) : null;
  return match ? Number(match[1]) : null;
}

export const href = (kind: string, id: number | string | null): Link => ({ href: id === null ? null : `${API}/${kind}/${id}` });

/** `{"message": …}` of an OpenProject error, or '' when the body says nothing readable. */
export function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

/** An ISO 8601 duration (PT1H30M, P1DT2H, PT1.5H) as hours; OpenProject's days have 24 hours here. */
export function hoursOf(duration: string): number {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m) return 0;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Number(d) * 24 + Number(h) + Number(min) / 60 + Number(s) / 3600;
}

/** Hours as an ISO 8601 duration in whole minutes (1.5 → PT1H30M). */
export function durationOf(hours: number): string {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h > 0 || m === 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}`;
}

/** OpenProject's API v3 as the resources use it: HAL+JSON calls, pages, look-ups. */
export class OpenProjectApi {
  readonly http: HttpClient;
  private lookups: Lookups | undefined;

  constructor(readonly settings: ConnectorSettings<OpenProjectSettings>) {
    this.http = connectorHttp(settings, {
      headers: { Authorization: basicAuth('apikey', settings.secret), Accept: 'application/hal+json' },
      describeError: messageOf,
    });
  }

  /** The web address of a page, for links in run history. */
  web(path: string): string {
    return `${this.settings.url.replace(/\/+$/, '')}${path}`;
  }

  get ready(): boolean {
    return this.lookups !== undefined;
  }

  get l(): Lookups {
    if (!this.lookups) throw new Error('the OpenProject connector must be prepared first');
    return this.lookups;
  }

  async json<T>(path: string, onHeaders?: (headers: ResponseHeaders) => void): Promise<T> {
    const answer = await this.http.request({ method: 'GET', path });
    onHeaders?.(answer.headers);
    return answer.body as T;
  }

  /** The account the key belongs to, or an AuthError when OpenProject refuses it. */
  async me(): Promise<{ id: number; name: string }> {
    const answer = await this.http.request({ method: 'GET', path: `${API}/users/me`, accept: [401, 404] });
    // Without a valid key OpenProject answers as the anonymous user, who is not "me".
    if (answer.status !== 200)
      throw new AuthError(
        'unauthorized',
        'OpenProject refused the API token (401): check PM_OPENPROJECT_API_KEY or .pm/secrets.toml',
      );
    return answer.body as Named;
  }

  async prepare(): Promise<void> {
    if (this.lookups) return;
    const me = await this.me();
    const project = await this.http.request({
      method: 'GET',
      path: `${API}/projects/${encodeURIComponent(this.settings.project)}`,
      accept: [403, 404],
    });
    if (project.status !== 200)
      throw new ValidationError([
        {
          path: 'project',
          message: `OpenProject has no project ${JSON.stringify(this.settings.project)}, or ${me.name} cannot see it`,
        },
      ]);
    const projectId = (project.body as Named).id;
    const [types, statuses, priorities, timeSchema] = await Promise.all([
      this.json<Collection<Named>>(`${API}/projects/${projectId}/types`),
      this.json<Collection<Named & { isClosed: boolean; isDefault?: boolean }>>(`${API}/statuses`),
      this.json<Collection<Named>>(`${API}/priorities`),
      this.json<Record<string, unknown>>(`${API}/time_entries/schema`),
    ]);
    // A custom field of work packages can be on for some types only: every type must have it.
    const fieldOf = (schema: Record<string, unknown>) =>
      Object.keys(schema).find((k) => /^customField\d+$/.test(k) && (schema[k] as { name?: string }).name === PM_ID_FIELD);
    const wpFields = await Promise.all(
      types._embedded.elements.map(async (t) => fieldOf(await this.json(`${API}/work_packages/schemas/${projectId}-${t.id}`))),
    );
    const wpField = wpFields[0];
    const timeField = fieldOf(timeSchema);
    if (wpField === undefined || wpFields.some((f) => f !== wpField) || timeField === undefined)
      throw new ValidationError([
        {
          path: 'custom_fields',
          message: `OpenProject needs a text custom field named "${PM_ID_FIELD}" for work packages (on every type of the project) and one for time entries (see docs/openproject.md)`,
        },
      ]);
    const statusList = statuses._embedded.elements;
    this.lookups = {
      projectId,
      userId: me.id,
      types: new Map(types._embedded.elements.map((t) => [t.name, t.id])),
      statuses: new Map(statusList.map((s) => [s.name, s.id])),
      closed: new Set(statusList.filter((s) => s.isClosed).map((s) => s.name)),
      defaultStatus: (statusList.find((s) => s.isDefault) ?? statusList[0])?.name ?? 'New',
      priorities: new Map(priorities._embedded.elements.map((p) => [p.name, p.id])),
      wpField,
      timeField,
    };
  }

  /** Every element of a collection, page by page (OpenProject's offset is a page number). */
  async *pages<T>(path: string, onHeaders?: (headers: ResponseHeaders) => void): AsyncGenerator<T> {
    for (let page = 1; ; page++) {
      const collection = await this.json<Collection<T>>(
        `${path}${path.includes('?') ? '&' : '?'}pageSize=${PAGE}&offset=${page}`,
        page === 1 ? onHeaders : undefined,
      );
      const rows = collection._embedded.elements;
      yield* rows;
      if (rows.length < PAGE || page * PAGE >= collection.total) return;
    }
  }

  /**
   * What changed since a time, oldest change first: `<>d` from that second on (OpenProject
   * compares whole seconds, both ends included). Each page starts again from the last second
   * seen instead of a page number into a list that moves; what a page repeats is skipped.
   */
  async *changedSince<T extends { id: number; updatedAt: string }>(
    path: string,
    filters: readonly object[],
    field: string,
    since: string,
    onHeaders?: (headers: ResponseHeaders) => void,
  ): AsyncGenerator<T> {
    let from = `${since.slice(0, 19)}Z`;
    let page = 1;
    const seen = new Set<string>();
    const sort = field === 'updatedAt' ? 'updatedAt' : 'updated_at';
    for (let first = true; ; first = false) {
      const query = [...filters, { [field]: { operator: '<>d', values: [from, FAR_FUTURE] } }];
      const collection = await this.json<Collection<T>>(
        `${path}?filters=${encodeURIComponent(JSON.stringify(query))}&sortBy=${encodeURIComponent(
          JSON.stringify([
            [sort, 'asc'],
            ['id', 'asc'],
          ]),
        )}&pageSize=${PAGE}&offset=${page}`,
        first ? onHeaders : undefined,
      );
      const rows = collection._embedded.elements;
      for (const row of rows) {
        const version = `${row.id}@${row.updatedAt}`;
        if (seen.has(version)) continue;
        seen.add(version);
        yield row;
      }
      if (rows.length < PAGE) return;
      const last = `${rows[rows.length - 1]!.updatedAt.slice(0, 19)}Z`;
      // A page all in one second: the next page of the same query; else on from that second.
      if (last === from) page++;
      else {
        from = last;
        page = 1;
      }
    }
  }

  /** The work packages filter of this project, every status (OpenProject shows open ones only by default). */
  get projectFilters(): object[] {
    return [{ project: { operator: '=', values: [String(this.l.projectId)] } }, { status: { operator: '*', values: [] } }];
  }
}
