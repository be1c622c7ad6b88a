import { AuthError, RemoteError, ValidationError } from '../../../domain/index.js';
import { basicAuth, connectorHttp, type ConnectorSettings, type HttpClient, type ResponseHeaders } from '../sdk/index.js';
import type { AzureDevOpsSettings } from './index.js';

const VERSION = '7.1';
/** The comments API is a preview in 7.1. */
export const COMMENTS_VERSION = '7.1-preview.4';
/** What workitemsbatch takes at most. */
const BATCH = 200;
/** WIQL answers at most 20,000 work items: pm asks for windows well under that. */
export const WIQL_WINDOW = 10_000;

export interface AdoRelation {
  rel: string;
  url: string;
  attributes?: Record<string, unknown>;
}
export interface AdoWorkItem {
  id: number;
  rev: number;
  fields: Record<string, unknown>;
  relations?: AdoRelation[];
}
export interface AdoComment {
  id: number;
  workItemId: number;
  text: string;
  isDeleted?: boolean;
  modifiedDate?: string;
  createdDate?: string;
}
export interface AdoNode {
  id: number;
  identifier: string;
  name: string;
  structureType?: string;
  attributes?: { startDate?: string; finishDate?: string };
  children?: AdoNode[];
}

export const LINK = {
  parent: 'System.LinkTypes.Hierarchy-Reverse',
  successor: 'System.LinkTypes.Dependency-Forward',
  predecessor: 'System.LinkTypes.Dependency-Reverse',
  related: 'System.LinkTypes.Related',
} as const;

/** `{"message": …}` of an Azure DevOps error, or ''. */
export function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

/** The work item a relation points to (its URL ends in /workItems/ID). */
export function targetOf(relation: AdoRelation): number | null {
  const m = /\/workItems\/(\d+)$/i.exec(relation.url);
  return m ? Number(m[1]) : null;
}

/** What pm reads once per run: the iterations (id ↔ path), closed states, the pm id field. */
export interface Lookups {
  rootIteration: AdoNode;
  iterations: Map<number, AdoNode>;
  closed: Set<string>;
  initialState: Map<string, string>;
}

/** Azure DevOps's REST API as the resources use it. */
export class AzureDevOpsApi {
  readonly http: HttpClient;
  private lookups: Lookups | undefined;
  /** Relations of the work items read in this run, for the dependency listing that follows. */
  readonly relations = new Map<number, AdoRelation[]>();

  constructor(
    readonly settings: ConnectorSettings<AzureDevOpsSettings>,
    readonly window = WIQL_WINDOW,
  ) {
    // A personal access token goes as the password of Basic auth, with any user name.
    const headers = { Authorization: basicAuth('', settings.secret), Accept: 'application/json' };
    this.http = connectorHttp(settings, { headers, describeError: messageOf });
  }

  get project(): string {
    return this.settings.project;
  }

  get team(): string {
    return this.settings.options.team ?? `${this.settings.project} Team`;
  }

  get pmField(): string {
    return this.settings.options.pm_id_field ?? 'Custom.PmId';
  }

  /** An API path of the project: `/{project}/_apis/wit/…?api-version=7.1`. */
  wit(path: string, version = VERSION): string {
    return `/${encodeURIComponent(this.project)}/_apis/wit/${path}${path.includes('?') ? '&' : '?'}api-version=${version}`;
  }

  /** An API path of the team: `/{project}/{team}/_apis/…`. */
  teamPath(path: string): string {
    return `/${encodeURIComponent(this.project)}/${encodeURIComponent(this.team)}/_apis/${path}${path.includes('?') ? '&' : '?'}api-version=${VERSION}`;
  }

  /** The URL a relation names a work item by. */
  itemUrl(id: string | number): string {
    return `${this.settings.url.replace(/\/+$/, '')}/_apis/wit/workItems/${id}`;
  }

  web(path: string): string {
    return `${this.settings.url.replace(/\/+$/, '')}/${encodeURIComponent(this.project)}/${path}`;
  }

  get ready(): boolean {
    return this.lookups !== undefined;
  }

  get l(): Lookups {
    if (!this.lookups) throw new Error('the Azure DevOps connector must be prepared first');
    return this.lookups;
  }

  /** The project's work item types, or a clear error for a refused token or an unknown project. */
  async types(): Promise<{ name: string; states?: { name: string; category: string }[] }[]> {
    const answer = await this.http.request({ method: 'GET', path: this.wit('workitemtypes'), accept: [401, 404] });
    if (answer.status === 401)
      throw new AuthError(
        'unauthorized',
        'Azure DevOps refused the personal access token: check PM_AZURE_DEVOPS_API_KEY or .pm/secrets.toml',
      );
    if (answer.status === 404)
      throw new ValidationError([
        { path: 'project', message: `Azure DevOps has no project ${JSON.stringify(this.project)}, or the token cannot see it` },
      ]);
    return (answer.body as { value: { name: string; states?: { name: string; category: string }[] }[] }).value;
  }

  async prepare(): Promise<void> {
    if (this.lookups) return;
    const types = await this.types();
    const field = await this.http.request({
      method: 'GET',
      path: this.wit(`fields/${encodeURIComponent(this.pmField)}`),
      accept: [404],
    });
    if (field.status === 404)
      throw new ValidationError([
        {
          path: 'pm_id_field',
          message: `Azure DevOps has no field ${this.pmField} for the pm id: add a text field to the project's process (see docs/azure-devops.md)`,
        },
      ]);
    const closed = new Set<string>();
    const initialState = new Map<string, string>();
    for (const type of types) {
      const list = type.states ?? (await this.states(type.name));
      for (const s of list) if (s.category === 'Completed' || s.category === 'Removed') closed.add(s.name);
      const first = list.find((s) => s.category === 'Proposed') ?? list[0];
      if (first) initialState.set(type.name, first.name);
    }
    this.lookups = { ...(await this.readIterations()), closed, initialState };
  }

  private async states(type: string): Promise<{ name: string; category: string }[]> {
    const answer = await this.http.request({ method: 'GET', path: this.wit(`workitemtypes/${encodeURIComponent(type)}/states`) });
    return (answer.body as { value: { name: string; category: string }[] }).value;
  }

  /** The iteration tree's top and its children (the sprints). */
  async readIterations(): Promise<{ rootIteration: AdoNode; iterations: Map<number, AdoNode> }> {
    const answer = await this.http.request({ method: 'GET', path: this.wit('classificationnodes?$depth=1') });
    const roots = (answer.body as { value: AdoNode[] }).value;
    const root = roots.find((n) => n.structureType === 'iteration');
    if (!root) throw new RemoteError('Azure DevOps answered no iteration tree for the project', { retryable: false });
    const iterations = new Map((root.children ?? []).map((n) => [n.id, n]));
    if (this.lookups) Object.assign(this.lookups, { rootIteration: root, iterations });
    return { rootIteration: root, iterations };
  }

  /** The path a work item's System.IterationPath takes for an iteration id (the project's root for none). */
  iterationPath(id: string | number | null): string {
    const node = id === null ? undefined : this.l.iterations.get(Number(id));
    return node ? `${this.project}\\${node.name}` : this.project;
  }

  /**
   * Work item ids a WIQL query finds, a window at a time: the query is run again from the last
   * value of `next` seen (ordered by it) until a window comes back short of full.
   */
  async wiql(query: string, onHeaders?: (headers: ResponseHeaders) => void): Promise<number[]> {
    const answer = await this.http.request({
      method: 'POST',
      path: this.teamPath(`wit/wiql?timePrecision=true&$top=${this.window}`),
      body: { query },
      idempotent: true,
    });
    onHeaders?.(answer.headers);
    return (answer.body as { workItems: { id: number }[] }).workItems.map((w) => w.id);
  }

  /**
   * The project's work items, a WIQL window at a time (the service answers at most 20,000):
   * by id for every one; by change time, then id, for those changed since a time, each window
   * starting again from the last time seen, repeats dropped.
   */
  async *windows(since: string | undefined, onHeaders: (headers: ResponseHeaders) => void): AsyncGenerator<AdoWorkItem> {
    const project = '[System.TeamProject] = @project';
    const seen = new Set<string>();
    let after = 0;
    let from = since ?? '';
    for (let first = true; ; first = false) {
      const query =
        since === undefined
          ? `SELECT [System.Id] FROM WorkItems WHERE ${project} AND [System.Id] > ${after} ORDER BY [System.Id] ASC`
          : `SELECT [System.Id] FROM WorkItems WHERE ${project} AND [System.ChangedDate] >= ${this.quote(from)} ORDER BY [System.ChangedDate] ASC, [System.Id] ASC`;
      const ids = await this.wiql(query, first ? onHeaders : undefined);
      const items = await this.batch(ids);
      for (const item of items) {
        if (seen.has(`${item.id}@${item.rev}`)) continue;
        seen.add(`${item.id}@${item.rev}`);
        yield item;
      }
      if (ids.length < this.window) return;
      if (since === undefined) after = ids[ids.length - 1]!;
      else {
        const last = items.map((i) => String(i.fields['System.ChangedDate'])).reduce((a, b) => (b > a ? b : a), from);
        if (last === from)
          throw new RemoteError(`more than ${this.window} work items changed at ${from}: pm cannot list them in windows`, {
            retryable: false,
          });
        from = last;
      }
    }
  }

  /** Work items by id with their relations, 200 a request; those deleted meanwhile are left out. */
  async batch(ids: readonly number[]): Promise<AdoWorkItem[]> {
    const items: AdoWorkItem[] = [];
    for (let at = 0; at < ids.length; at += BATCH) {
      const answer = await this.http.request({
        method: 'POST',
        path: this.wit('workitemsbatch'),
        body: { ids: ids.slice(at, at + BATCH), $expand: 'relations', errorPolicy: 'omit' },
        idempotent: true,
      });
      for (const item of (answer.body as { value: (AdoWorkItem | null)[] }).value) if (item) items.push(this.seen(item));
    }
    return items;
  }

  /**
   * A work item with its relations; null when it is confirmed deleted (in the recycle bin). A
   * 404 alone is not a deletion (the token may not see it, it may have moved): that is an error.
   */
  async item(id: string | number): Promise<AdoWorkItem | null> {
    const answer = await this.http.request({ method: 'GET', path: this.wit(`workitems/${id}?$expand=relations`), accept: [404] });
    if (answer.status === 200) return this.seen(answer.body as AdoWorkItem);
    const bin = await this.http.request({ method: 'GET', path: this.wit(`recyclebin/${id}`), accept: [404] });
    if (bin.status === 200) return null;
    throw new RemoteError(
      `work item ${id} is not found and not in the recycle bin: destroyed, moved to another project, or hidden from the token; pm keeps it`,
      { retryable: false },
    );
  }

  private seen(item: AdoWorkItem): AdoWorkItem {
    this.relations.set(item.id, item.relations ?? []);
    return item;
  }

  /** A WIQL string literal. */
  quote(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }
}
