import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { newId, workItemSchema, type ItemType, type Priority, type WorkItem } from '../src/domain/index.js';
import { openStore } from '../src/store/index.js';
import { rng } from './generate.js';
import { load, rotating, type Load } from './http-load.js';
import {
  PM_BIN,
  figure,
  median,
  nodeRssFloor,
  nodeStartCpuMs,
  processCpuMs,
  startServer,
  stopServer,
  timed,
  type Figure,
  type Floor,
} from './lib.js';

/**
 * The sync engine against a real Redmine: a full push of `count` work items next to the raw
 * floor (the same creates as plain sequential POSTs, into a second project, half just before
 * the push and half just after it), then incremental runs with nothing changed and with 1%
 * changed, each against the requests such a run needs at the least, made plainly. Each run is
 * one `pm sync run --json` process (its CPU time and peak RSS from PM_RUSAGE_FILE) or a run
 * inside `pm serve`. Then `pm serve` and Redmine answer the same reads of the same items: one
 * item, a page of 50.
 *
 * Needs the Redmine peer (../shared/peers/redmine/start.sh writes /tmp/redmine.env, or set
 * REDMINE_URL and REDMINE_API_KEY). Without one the suite is skipped with a note. The API key
 * only travels in request headers and the child's environment: it is never printed.
 */

interface Peer {
  url: string;
  apiKey: string;
}

function redminePeer(): Peer | undefined {
  let url = process.env.REDMINE_URL;
  let apiKey = process.env.REDMINE_API_KEY;
  if (!url || !apiKey) {
    try {
      const text = readFileSync(process.env.REDMINE_ENV_FILE ?? '/tmp/redmine.env', 'utf8');
      url = /^REDMINE_URL=(.*)$/m.exec(text)?.[1]?.trim();
      apiKey = /^REDMINE_API_KEY=(.*)$/m.exec(text)?.[1]?.trim();
    } catch {
      return undefined;
    }
  }
  return url && apiKey ? { url: url.replace(/\/+$/, ''), apiKey } : undefined;
}

interface Issue {
  id: number;
  subject: string;
  parent?: { id: number };
  custom_fields?: { id: number; name: string; value: unknown }[];
}

/** Redmine's REST API over keep-alive fetch; errors name the request, never the key. */
class Redmine {
  constructor(private readonly peer: Peer) {}

  /** Anything that may be printed goes through here first. */
  redact(text: string): string {
    return text.split(this.peer.apiKey).join('<api key>');
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    accept: readonly number[] = [],
  ): Promise<{ status: number; body: T }> {
    const send = () =>
      fetch(`${this.peer.url}${path}`, {
        method,
        headers: {
          'X-Redmine-API-Key': this.peer.apiKey,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    let response: Response;
    try {
      // A read may be sent again; a write may have happened, so it is not.
      response = await send().catch((error: unknown) => (method === 'GET' ? send() : Promise.reject(error as Error)));
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new Error(this.redact(`${method} ${path.split('?')[0]}: ${cause}`));
    }
    const text = await response.text();
    if (!response.ok && !accept.includes(response.status))
      throw new Error(this.redact(`${method} ${path.split('?')[0]}: ${response.status} ${text.slice(0, 300)}`));
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.call<T>(method, path, body)).body;
  }

  async issues(project: string): Promise<Issue[]> {
    const all: Issue[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.ok<{ issues: Issue[] }>(
        'GET',
        `/issues.json?project_id=${project}&status_id=*&sort=id:asc&limit=100&offset=${offset}`,
      );
      all.push(...page.issues);
      if (page.issues.length < 100) return all;
    }
  }
}

/** What pm's Redmine connector maps to (src/sync/connectors/redmine/vocabulary.ts, defaults). */
const TRACKER: Record<ItemType, string> = { epic: 'Feature', story: 'Support', task: 'Bug' };
const PRIORITY: Record<Priority, string> = { low: 'Low', medium: 'Normal', high: 'High', critical: 'Urgent' };

const WORDS =
  'account admin alert api archive audit backup badge banner billing cache calendar card cart chart checkout client config cookie coupon dashboard deploy dialog email export feed filter footer form gateway header import invoice label layout login menu metric mobile modal onboarding order page password payment permission pipeline profile queue refund report role search session settings signup storage subscription table tax theme ticket token upload user webhook widget'.split(
    ' ',
  );
const VERBS = 'Add Fix Refactor Remove Update Migrate Document Test Localise Redesign Validate Cache Audit'.split(' ');

/**
 * `count` work items in a mild hierarchy: one epic per 100 items, each with 99 children (a
 * story every fourth, the rest tasks); default status, a few priorities, titles and short
 * descriptions. Epics come first in the list, so parents are written before their children.
 */
export function workItems(projectId: string, count: number): WorkItem[] {
  const r = rng(6);
  const phrase = (n: number) => Array.from({ length: n }, () => r.pick(WORDS)).join(' ');
  const at = new Date().toISOString();
  const item = (number: number, type: ItemType, parent: WorkItem | null): WorkItem =>
    workItemSchema.parse({
      id: newId(),
      project_id: projectId,
      parent_id: parent?.id ?? null,
      item_type: type,
      item_number: number,
      title: `${r.pick(VERBS)} ${phrase(2 + r.int(4))}`,
      description: r.next() < 0.8 ? `${phrase(8 + r.int(16))}.` : null,
      status: 'backlog',
      priority: r.pick(['low', 'medium', 'medium', 'medium', 'high', 'critical'] as const),
      position: number * 1024,
      story_points: type === 'task' ? null : r.pick([1, 2, 3, 5, 8]),
      assignee_id: null,
      sprint_id: null,
      version: 1,
      created_by: 'bench@example.com',
      updated_by: 'bench@example.com',
      created_at: at,
      updated_at: at,
      deleted_at: null,
      field_updated_at: {},
    });
  const epics: WorkItem[] = [];
  const children: WorkItem[] = [];
  for (let n = 1; n <= count; n++) {
    if ((n - 1) % 100 === 0) epics.push(item(n, 'epic', null));
    else children.push(item(n, (n - 1) % 4 === 0 ? 'story' : 'task', epics[epics.length - 1]!));
  }
  return [...epics, ...children];
}

/** Writes generated work items straight into a repository's database (parents first), as a load would. */
export async function insertWorkItems(
  database: string,
  projectKey: string,
  make: (projectId: string) => WorkItem[],
): Promise<WorkItem[]> {
  const store = await openStore(database);
  try {
    const project = await store.projectByKey(projectKey);
    if (!project) throw new Error(`no project ${projectKey} in ${database}`);
    const items = make(project.id);
    await store.write(async (tx) => {
      await tx.insertMany(
        'work_items',
        items.filter((i) => i.parent_id === null),
      );
      await tx.insertMany(
        'work_items',
        items.filter((i) => i.parent_id !== null),
      );
      await tx.update('projects', { ...project, next_work_item_number: items.length + 1 });
    });
    return items;
  } finally {
    await store.close();
  }
}

interface Usage {
  max_rss_kb: number;
  user_ms: number;
  system_ms: number;
}

interface RunOutput {
  run: {
    status: string;
    error: string | null;
    duration_ms: number | null;
    counters: Record<string, Record<string, number>>;
  };
  items: { entity_type: string; direction: string; operation: string; status: string }[];
}

/** Plain HTTP calls made from this process: their wall time and this process's CPU time. */
interface Plain {
  ms: number;
  cpuMs: number;
}

async function plainly(fn: () => Promise<void>): Promise<Plain> {
  const cpu = process.cpuUsage();
  const { ms } = await timed(fn);
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/** One run: its wall and CPU time and what it reported. */
interface Timed {
  wallMs: number;
  cpuMs: number;
  output: RunOutput;
}

/** A run as a process of its own, with the peak memory of that process. */
interface Measured extends Timed {
  rssMb: number;
}

export async function redmineBench(workdir: string, count: number): Promise<Figure[]> {
  const peer = redminePeer();
  if (!peer) {
    process.stderr.write(
      'redmine: skipped, no Redmine (start ../shared/peers/redmine/start.sh, or set REDMINE_URL/REDMINE_API_KEY)\n',
    );
    return [];
  }
  const api = new Redmine(peer);
  const repo = join(workdir, 'repo');
  const usageFile = join(workdir, 'rusage.json');
  const env = { ...process.env, PM_ACTOR: 'bench@example.com', NO_COLOR: '1', PM_REDMINE_API_KEY: peer.apiKey };
  /**
   * One pm process. Asynchronous on purpose: a blocked event loop would keep fetch's idle
   * keep-alive sockets past Redmine's timeout, and the next request would meet a closed socket.
   */
  const pm = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
    const child = spawn(process.execPath, [PM_BIN, ...args], { cwd: repo, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(api.redact(`pm ${args.join(' ')} failed (${code}): ${stderr}`));
    return stdout;
  };
  const assertCompleted = (what: string, output: RunOutput) => {
    if (output.run.status !== 'completed')
      throw new Error(api.redact(`${what}: the run ended ${output.run.status} (${output.run.error ?? 'see pm sync failures'})`));
  };
  /** One `pm sync run --json`, checked to have completed. */
  const syncRun = async (what: string): Promise<Measured> => {
    rmSync(usageFile, { force: true });
    const t0 = process.hrtime.bigint();
    const stdout = await pm(['sync', 'run', '--json'], { PM_RUSAGE_FILE: usageFile });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const output = JSON.parse(stdout) as RunOutput;
    assertCompleted(what, output);
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
    return { wallMs, cpuMs: usage.user_ms + usage.system_ms, rssMb: usage.max_rss_kb / 1024, output };
  };
  /**
   * One run inside `pm serve`, the way a team syncs on a schedule: requested over HTTP and
   * followed on its event stream to the end. The server's CPU time is read from /proc before
   * the request and after the stream ends (a window that holds the run and a little more);
   * the wall time is the run's own duration.
   */
  const servedRun = async (server: { url: string; pid: number }, what: string): Promise<Timed> => {
    const cpuBefore = processCpuMs(server.pid);
    const requested = await fetch(`${server.url}/api/v1/sync/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (requested.status !== 202) throw new Error(`${what}: POST /api/v1/sync/runs answered ${requested.status}`);
    const { sync_id } = (await requested.json()) as { sync_id: string };
    await (await fetch(`${server.url}/api/v1/sync/runs/${sync_id}/events`)).text();
    const cpuMs = processCpuMs(server.pid) - cpuBefore;
    const output = (await (await fetch(`${server.url}/api/v1/sync/runs/${sync_id}`)).json()) as RunOutput;
    assertCompleted(what, output);
    return { wallMs: output.run.duration_ms!, cpuMs, output };
  };
  const done = (m: Timed, direction: string, operation: string) =>
    m.output.items.filter(
      (i) => i.entity_type === 'work_items' && i.direction === direction && i.operation === operation && i.status === 'done',
    ).length;

  const stamp = `${Date.now().toString(36)}-${process.pid}`;
  const syncProject = `pm-bench-${stamp}`;
  const floorProject = `pm-bench-${stamp}-floor`;
  const made: string[] = [];
  try {
    // ---- Redmine's lookups, the two projects -------------------------------------------------
    const fields = await api.ok<{ custom_fields: { id: number; name: string; customized_type: string }[] }>(
      'GET',
      '/custom_fields.json',
    );
    const pmIdField = fields.custom_fields.find((f) => f.name === 'pm id' && f.customized_type === 'issue')?.id;
    if (pmIdField === undefined) throw new Error('Redmine has no "pm id" issue custom field (see docs/redmine.md)');
    const byName = (list: { id: number; name: string }[]) => new Map(list.map((x) => [x.name, x.id]));
    const trackers = byName((await api.ok<{ trackers: { id: number; name: string }[] }>('GET', '/trackers.json')).trackers);
    const statuses = byName(
      (await api.ok<{ issue_statuses: { id: number; name: string }[] }>('GET', '/issue_statuses.json')).issue_statuses,
    );
    const priorities = byName(
      (await api.ok<{ issue_priorities: { id: number; name: string }[] }>('GET', '/enumerations/issue_priorities.json'))
        .issue_priorities,
    );
    const projectIds = new Map<string, number>();
    for (const identifier of [syncProject, floorProject]) {
      const { project } = await api.ok<{ project: { id: number } }>('POST', '/projects.json', {
        project: { name: identifier, identifier, is_public: false },
      });
      made.push(identifier);
      projectIds.set(identifier, project.id);
    }

    // ---- the pm repository: count items through the store, then connected --------------------
    mkdirSync(repo, { recursive: true });
    await pm(['init']);
    await pm(['project', 'add', 'WEB', 'Website relaunch']);
    const items = await insertWorkItems(join(repo, '.pm', 'data.db'), 'WEB', (projectId) => workItems(projectId, count));
    await pm(['sync', 'export']); // .pm/data.json up to date, so no run below pays for the first export
    await pm(['connect', 'redmine', '--url', peer.url, '--project', syncProject, '--check']);

    // ---- the raw floor: the same creates as plain sequential POSTs, parents first -------------
    // Redmine's pace drifts over minutes (its database grows, the machine's load moves): half
    // the floor is timed before the push and half after it, so a drift weighs on both alike.
    const remoteOf = new Map<string, number>();
    const floorProjectId = projectIds.get(floorProject)!;
    const floorPosts = (batch: readonly WorkItem[]) =>
      plainly(async () => {
        for (const item of batch) {
          const issue = {
            project_id: floorProjectId,
            subject: item.title,
            description: item.description ?? '',
            tracker_id: trackers.get(TRACKER[item.item_type]),
            status_id: statuses.get('New'),
            priority_id: priorities.get(PRIORITY[item.priority]),
            parent_issue_id: item.parent_id === null ? '' : remoteOf.get(item.parent_id)!,
            fixed_version_id: '',
            custom_fields: [{ id: pmIdField, value: item.id }],
          };
          const created = await api.ok<{ issue: { id: number } }>('POST', '/issues.json', { issue });
          remoteOf.set(item.id, created.issue.id);
        }
      });
    const half = Math.ceil(items.length / 2);
    const floorBefore = await floorPosts(items.slice(0, half));

    // ---- full push ------------------------------------------------------------------------
    const full = await syncRun('full push');
    const floorAfter = await floorPosts(items.slice(half));
    const floor = { ms: floorBefore.ms + floorAfter.ms, cpuMs: floorBefore.cpuMs + floorAfter.cpuMs };
    if (done(full, 'push', 'create') !== count)
      throw new Error(`full push: ${done(full, 'push', 'create')} work items created, expected ${count}`);
    const remote = await api.issues(syncProject);
    const issueOf = new Map<string, Issue>();
    for (const issue of remote) {
      const pmId = issue.custom_fields?.find((f) => f.id === pmIdField)?.value;
      if (typeof pmId === 'string' && pmId !== '') issueOf.set(pmId, issue);
    }
    if (remote.length !== count || issueOf.size !== count)
      throw new Error(`full push: Redmine has ${remote.length} issues (${issueOf.size} with distinct pm ids), expected ${count}`);
    for (const item of items) {
      const issue = issueOf.get(item.id);
      const parent = item.parent_id === null ? undefined : issueOf.get(item.parent_id)?.id;
      if (!issue || issue.subject !== item.title || issue.parent?.id !== parent)
        throw new Error(`full push: WEB-${item.item_number} is not on Redmine as it is in pm`);
    }

    // ---- incremental, nothing changed --------------------------------------------------------
    const quietFirst = await syncRun('incremental run right after the full push');
    const quietSteady = await syncRun('second incremental run');

    // ---- incremental, 1% changed: half edited in pm, half in Redmine ------------------------
    const perSide = Math.max(1, Math.round(count / 200));
    const stride = Math.floor(count / perSide);
    const localEdits = Array.from({ length: perSide }, (_, i) => items.find((x) => x.item_number === 2 + i * stride)!);
    const remoteEdits = Array.from({ length: perSide }, (_, i) =>
      items.find((x) => x.item_number === 2 + Math.floor(stride / 2) + i * stride)!,
    );
    for (const item of localEdits)
      await pm(['item', 'edit', `WEB-${item.item_number}`, '--title', `${item.title} (edited in pm)`]);
    for (const item of remoteEdits)
      await api.ok('PUT', `/issues/${issueOf.get(item.id)!.id}.json`, {
        issue: { subject: `${item.title} (edited in Redmine)` },
      });
    const changed = await syncRun('incremental run with 1% changed');
    for (const item of localEdits) {
      const { issue } = await api.ok<{ issue: Issue }>('GET', `/issues/${issueOf.get(item.id)!.id}.json`);
      if (issue.subject !== `${item.title} (edited in pm)`)
        throw new Error(`1% changed: WEB-${item.item_number}'s new title did not reach Redmine (it has ${issue.subject})`);
    }
    const check = await openStore(join(repo, '.pm', 'data.db'));
    try {
      for (const item of remoteEdits) {
        const local = await check.get('work_items', item.id);
        if (local?.title !== `${item.title} (edited in Redmine)`)
          throw new Error(`1% changed: Redmine's edit of WEB-${item.item_number} did not reach pm (it has ${local?.title})`);
      }
    } finally {
      await check.close();
    }
    const pushed = done(changed, 'push', 'update');
    const pulled = done(changed, 'pull', 'update');

    const n = count.toLocaleString('en');

    // ---- the floor of incremental runs: the requests such a run needs at the least ----------
    // One listing of the issues changed since the last run, and a PUT per local edit, made
    // plainly against the floor project (whose issues the raw floor created).
    const floorIssue = (item: WorkItem) => remoteOf.get(item.id)!;
    const plainRun = (since: string, edits: readonly WorkItem[], tag: string) =>
      plainly(async () => {
        const changedSince = encodeURIComponent(`>=${since}`);
        await api.ok('GET', `/issues.json?project_id=${floorProject}&status_id=*&updated_on=${changedSince}&limit=100`);
        for (const item of edits)
          await api.ok('PUT', `/issues/${floorIssue(item)}.json`, { issue: { subject: `${item.title} (${tag})` } });
      });
    const quietPlain: Plain[] = [];
    for (let i = 0; i < 5; i++) quietPlain.push(await plainRun(new Date().toISOString().slice(0, 19) + 'Z', [], 'unused'));
    const before = new Date(Date.now() - 1000).toISOString().slice(0, 19) + 'Z';
    for (const item of remoteEdits)
      await api.ok('PUT', `/issues/${floorIssue(item)}.json`, { issue: { subject: `${item.title} (edited in Redmine)` } });
    const changedPlain = await plainRun(before, localEdits, 'edited in pm');

    // ---- the same incremental runs inside pm serve: no process start-up per run ------------
    const served = await startServer(repo, { PM_REDMINE_API_KEY: peer.apiKey });
    let servedQuiet: Timed[];
    let servedChanged: Timed;
    const reads: Figure[] = [];
    try {
      const server = { url: served.url, pid: served.child.pid! };
      await servedRun(server, 'first run in pm serve'); // loads and compiles what runs need, once per server
      servedQuiet = [];
      for (let i = 0; i < 5; i++) servedQuiet.push(await servedRun(server, `no-change run ${i + 1} in pm serve`));
      for (const item of localEdits)
        await pm(['item', 'edit', `WEB-${item.item_number}`, '--title', `${item.title} (edited in pm again)`]);
      for (const item of remoteEdits)
        await api.ok('PUT', `/issues/${issueOf.get(item.id)!.id}.json`, {
          issue: { subject: `${item.title} (edited in Redmine again)` },
        });
      servedChanged = await servedRun(server, 'run with 1% changed in pm serve');
      if (done(servedChanged, 'push', 'update') !== perSide || done(servedChanged, 'pull', 'update') !== perSide)
        throw new Error(`1% changed in pm serve: expected ${perSide} updates each way`);

      // ---- reads: pm serve and Redmine answering for the same items ---------------------------
      const sample = Array.from({ length: 200 }, (_, i) => items[(i * 7919) % items.length]!);
      const redmine = new URL(peer.url);
      const auth = { 'X-Redmine-API-Key': peer.apiKey };
      const readFigures = (name: string, ours: Load, theirs: Load) => [
        figure(`redmine: pm serve vs Redmine, ${name}, 4 connections`, ours.reqPerSec, 'req/s', {
          value: theirs.reqPerSec,
          name: 'Redmine',
        }),
        figure(`redmine: pm serve vs Redmine, ${name}, p99`, ours.p99Ms, 'ms', { value: theirs.p99Ms, name: 'Redmine' }),
      ];
      // As many clients as the peer's Puma has threads (4): more only queue there, or fail.
      const options = { connections: 4 };
      reads.push(
        ...readFigures(
          `GET one item (${n} in the project)`,
          await load(
            served.url,
            served.child.pid,
            rotating(sample.map((i) => `/api/v1/work_items/WEB-${i.item_number}`)),
            options,
          ),
          await load(
            redmine.origin,
            undefined,
            rotating(sample.map((i) => `${redmine.pathname.replace(/\/$/, '')}/issues/${issueOf.get(i.id)!.id}.json`)),
            {
              ...options,
              headers: auth,
            },
          ),
        ),
        ...readFigures(
          'GET a page of 50 items',
          await load(served.url, served.child.pid, rotating(['/api/v1/work_items?project=WEB&limit=50']), options),
          await load(
            redmine.origin,
            undefined,
            rotating([`${redmine.pathname.replace(/\/$/, '')}/issues.json?project_id=${syncProject}&limit=50`]),
            {
              ...options,
              headers: auth,
            },
          ),
        ),
      );
    } finally {
      await stopServer(served.child);
    }

    // ---- figures --------------------------------------------------------------------------
    const nodeStart = nodeStartCpuMs();
    const PLAIN = 'the least requests, plainly';
    const wall = (plain: Plain): Floor => ({ value: plain.ms / 1000, name: PLAIN });
    /** A run as a process of its own: at the least, Node starts and makes the requests. */
    const processCpu = (plain: Plain): Floor => ({
      value: nodeStart + plain.cpuMs,
      name: `${PLAIN}, from a process of their own (CPU)`,
    });
    const medianPlain = (plains: Plain[]): Plain => ({
      ms: median(plains.map((p) => p.ms)),
      cpuMs: median(plains.map((p) => p.cpuMs)),
    });
    const quiet = medianPlain(quietPlain);
    const incremental = (name: string, m: Timed, plain: Plain): Figure[] => [
      figure(`redmine: incremental, ${name}`, m.wallMs / 1000, 's', wall(plain)),
      figure(`redmine: incremental, ${name}: pm CPU (a whole process)`, m.cpuMs, 'ms', processCpu(plain)),
    ];
    return [
      figure(`redmine: full push of ${n} work items`, full.wallMs / 1000, 's', {
        value: floor.ms / 1000,
        name: `${n} plain sequential POST /issues.json`,
      }),
      figure('redmine: full push: pm CPU (a whole process)', full.cpuMs / 1000, 's', {
        value: (nodeStart + floor.cpuMs) / 1000,
        name: 'the plain POSTs from a process of their own (CPU)',
      }),
      figure('redmine: full push: pm peak RSS', full.rssMb, 'MB', nodeRssFloor()),
      ...incremental(`no change, 1st run (${n} linked)`, quietFirst, quiet),
      ...incremental(`no change, steady (${n} linked)`, quietSteady, quiet),
      ...incremental(`1% changed (${pushed} out, ${pulled} in)`, changed, changedPlain),
      figure(
        `redmine: in pm serve, no change (${n} linked), median of 5`,
        median(servedQuiet.map((m) => m.wallMs)) / 1000,
        's',
        wall(quiet),
      ),
      figure('redmine: in pm serve, no change: server CPU per run (median of 5)', median(servedQuiet.map((m) => m.cpuMs)), 'ms', {
        value: quiet.cpuMs,
        name: `${PLAIN} (CPU)`,
      }),
      figure(
        `redmine: in pm serve, 1% changed (${perSide} out, ${perSide} in)`,
        servedChanged.wallMs / 1000,
        's',
        wall(changedPlain),
      ),
      figure('redmine: in pm serve, 1% changed: server CPU', servedChanged.cpuMs, 'ms', {
        value: changedPlain.cpuMs,
        name: `${PLAIN} (CPU)`,
      }),
      ...reads,
    ];
  } finally {
    for (const identifier of made) {
      try {
        await api.call('DELETE', `/projects/${identifier}.json`, undefined, [404]);
      } catch (error) {
        process.stderr.write(`redmine: could not delete project ${identifier}: ${(error as Error).message}\n`);
      }
    }
  }
}
