import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { processCpuMs, startListening } from './lib.js';

/** The part of autocannon's API the benchmarks use (it ships no types). */
type Cannon = (options: CannonOptions) => Promise<CannonResult>;
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
  headers?: Record<string, string>;
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

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  headers?: Record<string, string>;
}

export interface Load {
  reqPerSec: number;
  p99Ms: number;
  /** Server CPU per answered request, in µs, where the platform tells (Linux). */
  cpuPerRequestUs: number | undefined;
}

/** Requests that cycle through many paths, so no single record is answered from a warm cache only. */
export function rotating(paths: readonly string[], method = 'GET', body?: (i: number) => string): CannonOptions['requests'] {
  let i = 0;
  return [
    {
      setupRequest: (request) => {
        const n = i++;
        return {
          ...request,
          method,
          path: paths[n % paths.length]!,
          ...(body ? { headers: { ...request.headers, 'content-type': 'application/json' }, body: body(n) } : {}),
        };
      },
    },
  ];
}

function cpuMs(pid: number | undefined): number | undefined {
  try {
    return pid === undefined ? undefined : processCpuMs(pid);
  } catch {
    return undefined;
  }
}

/**
 * Requests per second and p99 latency of a server under `connections` (50) clients for
 * `seconds` (10), after a warm-up of 2 s, and the server process's CPU per request. Any
 * failed answer fails the benchmark: a fast wrong answer is no figure.
 */
export async function load(
  url: string,
  pid: number | undefined,
  requests: CannonOptions['requests'],
  options: LoadOptions = {},
): Promise<Load> {
  const base = {
    url,
    connections: options.connections ?? 50,
    timeout: 30,
    requests,
    ...(options.headers ? { headers: options.headers } : {}),
  };
  await autocannon({ ...base, duration: 2 });
  const before = cpuMs(pid);
  const result = await autocannon({ ...base, duration: options.seconds ?? 10 });
  const after = cpuMs(pid);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  const cpuPerRequestUs =
    before === undefined || after === undefined ? undefined : ((after - before) * 1000) / result.requests.total;
  return { reqPerSec: result.requests.average, p99Ms: result.latency.p99, cpuPerRequestUs };
}

/**
 * The floor of a served request: a bare node:http server (bench/floors/http-floor.mjs) that
 * answers every request with `body` as JSON (reading a request body first, if there is one),
 * and `GET /file` with the bytes of `file`, streamed.
 */
export function startHttpFloor(bodyFile: string, file?: string): Promise<{ url: string; child: ChildProcess }> {
  const script = join(import.meta.dirname, 'floors', 'http-floor.mjs');
  return startListening([process.execPath, script, bodyFile, ...(file ? [file] : [])]);
}
