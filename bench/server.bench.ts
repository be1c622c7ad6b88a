import type { ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { figure, median, startServer, stopServer, timed, type Figure } from './lib.js';

/** The part of autocannon's API this benchmark uses (it ships no types). */
interface Cannon {
  (options: CannonOptions): Promise<CannonResult>;
}
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  /** Seconds before a request counts as timed out. */
  timeout?: number;
  requests?: { setupRequest: (request: CannonRequest) => CannonRequest }[];
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const CONNECTIONS = 50;
const SECONDS = 10;
const WARM_UP_SECONDS = 2;
/** Deep list pages are slow; a request counts as failed only after this long. */
const TIMEOUT_SECONDS = 30;

/** Requests cycle through many records, so no single row is answered from a warm cache only. */
function rotating(paths: readonly string[], method = 'GET', body?: (i: number) => string) {
  let i = 0;
  return [
    {
      setupRequest: (request: CannonRequest): CannonRequest => {
        const n = i++;
        return {
          ...request,
          method,
          path: paths[n % paths.length]!,
          ...(body ? { headers: { 'content-type': 'application/json' }, body: body(n) } : {}),
        };
      },
    },
  ];
}

/** CPU time the server process has used, in ms (Linux), to tell its cost from the machine's noise. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return undefined;
  }
}

interface Load extends CannonResult {
  /** Server CPU per answered request, in µs, where the platform tells. */
  cpuPerRequestUs: number | undefined;
}

async function load(url: string, server: ChildProcess, requests: CannonOptions['requests']): Promise<Load> {
  const options = { url, connections: CONNECTIONS, timeout: TIMEOUT_SECONDS, requests };
  await autocannon({ ...options, duration: WARM_UP_SECONDS });
  const before = cpuMs(server.pid);
  const result = await autocannon({ ...options, duration: SECONDS });
  const after = cpuMs(server.pid);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const cpuPerRequestUs =
    before === undefined || after === undefined ? undefined : ((after - before) * 1000) / result.requests.total;
  return { ...result, cpuPerRequestUs };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Reads a whole response, counting its bytes, as a client saving the export would. */
async function download(url: string): Promise<number> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`);
  let bytes = 0;
  for await (const chunk of response.body) bytes += (chunk as Uint8Array).length;
  return bytes;
}

/**
 * `pm serve` (issue 5) against the 100k data set: requests per second and p99 latency at 50
 * connections for get-by-key, a list page of 50 and a patch, and the wall time of a full export.
 */
export async function serverBench(workdir: string, loaded: string): Promise<Figure[]> {
  const repo = join(workdir, 'repo');
  cpSync(join(loaded, '.pm'), join(repo, '.pm'), { recursive: true });
  const { url, child } = await startServer(repo);
  try {
    const api = `${url}/api/v1`;
    const projects = await getJson<{ items: { key: string }[] }>(`${api}/projects`);
    const project = projects.items[0]!.key;
    const page = await getJson<{ items: { key: string }[]; total: number }>(
      `${api}/work_items?project=${project}&all=true&limit=1`,
    );
    const count = Math.min(page.total, 5000);
    const keys = Array.from({ length: 1000 }, (_, i) => `${project}-${1 + ((i * 7919) % count)}`);
    const figures: Figure[] = [];

    const byKey = await load(url, child, rotating(keys.map((k) => `/api/v1/work_items/${k}`)));
    figures.push(
      figure('server: GET /work_items/{key}, 50 connections', byKey.requests.average, 'req/s', { target: '≥ 10,000 req/s' }),
      figure('server: GET /work_items/{key} p99', byKey.latency.p99, 'ms', { target: '< 10 ms' }),
    );
    if (byKey.cpuPerRequestUs !== undefined) {
      figures.push(figure('server: GET /work_items/{key} server CPU per request', byKey.cpuPerRequestUs, 'µs'));
    }

    const first = await load(url, child, rotating([`/api/v1/work_items?project=${project}&limit=50`]));
    figures.push(
      figure('server: GET /work_items?project&limit=50 (first page), 50 conn.', first.requests.average, 'req/s'),
      figure('server: GET /work_items first page of 50 p99', first.latency.p99, 'ms'),
    );

    const pages = Array.from({ length: 100 }, (_, i) => `/api/v1/work_items?project=${project}&limit=50&offset=${i * 50}`);
    const deep = await load(url, child, rotating(pages));
    figures.push(
      figure('server: GET /work_items pages 1-100 of 50, 50 connections', deep.requests.average, 'req/s'),
      figure('server: GET /work_items pages 1-100 of 50 p99', deep.latency.p99, 'ms'),
    );

    const priorities = ['low', 'medium', 'high', 'critical'];
    const patch = await load(
      url,
      child,
      rotating(
        keys.map((k) => `/api/v1/work_items/${k}`),
        'PATCH',
        (i) => JSON.stringify({ priority: priorities[i % priorities.length] }),
      ),
    );
    figures.push(
      figure('server: PATCH /work_items/{key}, 50 connections', patch.requests.average, 'req/s'),
      figure('server: PATCH /work_items/{key} p99', patch.latency.p99, 'ms'),
    );

    const exports: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const run = await timed(() => download(`${api}/sync/export`));
      exports.push(run.ms);
      bytes = run.result;
    }
    figures.push(
      figure('server: GET /sync/export of the 100k data set', median(exports) / 1000, 's', { target: '≤ 2 s' }),
      figure('server: export size', bytes / 1048576, 'MiB'),
    );
    return figures;
  } finally {
    await stopServer(child);
  }
}
