import type { ChildProcess } from 'node:child_process';
import { cpSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, rotating, startHttpFloor, type Load } from './http-load.js';
import { PM_BIN, figure, median, processMs, startServer, stopServer, timed, type Figure } from './lib.js';

async function getText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.text();
}

/** Reads a whole response, counting its bytes, as a client saving the export would. */
async function download(url: string): Promise<number> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  let bytes = 0;
  for await (const chunk of response.body) bytes += (chunk as Uint8Array).length;
  return bytes;
}

const FLOOR = 'node:http answering the same bytes';

/** The figures of one kind of request: pm's rate, p99 and CPU per request against the bare server's. */
function compared(name: string, pm: Load, bare: Load): Figure[] {
  const figures = [
    figure(`server: ${name}, 50 connections`, pm.reqPerSec, 'req/s', { value: bare.reqPerSec, name: FLOOR }),
    figure(`server: ${name}, p99`, pm.p99Ms, 'ms', { value: bare.p99Ms, name: FLOOR }),
  ];
  if (pm.cpuPerRequestUs !== undefined && bare.cpuPerRequestUs !== undefined)
    figures.push(
      figure(`server: ${name}, server CPU per request`, pm.cpuPerRequestUs, 'µs', { value: bare.cpuPerRequestUs, name: FLOOR }),
    );
  return figures;
}

/**
 * `pm serve` against the 100k data set: requests per second, p99 latency and server CPU at 50
 * connections for get-by-key, list pages of 50 and a patch, and the wall time of a full export;
 * each against a bare node:http server answering the same bytes, loaded the same way in turn.
 */
export async function serverBench(workdir: string, loaded: string): Promise<Figure[]> {
  const repo = join(workdir, 'repo');
  cpSync(join(loaded, '.pm'), join(repo, '.pm'), { recursive: true });
  // The export's floor streams .pm/data.json: a data set loaded through the store has none
  // until a command exports it (the core suite's commands do; --only=server runs none).
  processMs([process.execPath, PM_BIN, 'sync', 'export'], {
    cwd: repo,
    env: { ...process.env, PM_ACTOR: 'bench@example.com' },
  });
  const { url, child } = await startServer(repo);
  const floorOf = async (body: string, run: (floorUrl: string, floor: ChildProcess) => Promise<Load>, file?: string) => {
    const bodyFile = join(workdir, 'floor-body.json');
    writeFileSync(bodyFile, body);
    const bare = await startHttpFloor(bodyFile, file);
    try {
      return await run(bare.url, bare.child);
    } finally {
      await stopServer(bare.child);
    }
  };
  try {
    const api = `${url}/api/v1`;
    const project = (JSON.parse(await getText(`${api}/projects`)) as { items: { key: string }[] }).items[0]!.key;
    const total = (JSON.parse(await getText(`${api}/work_items?project=${project}&all=true&limit=1`)) as { total: number }).total;
    const count = Math.min(total, 5000);
    const keys = Array.from({ length: 1000 }, (_, i) => `${project}-${1 + ((i * 7919) % count)}`);
    const figures: Figure[] = [];

    const byKeyPaths = keys.map((k) => `/api/v1/work_items/${k}`);
    const one = await getText(`${url}${byKeyPaths[0]}`);
    figures.push(
      ...compared(
        'GET /work_items/{key}',
        await load(url, child.pid, rotating(byKeyPaths)),
        await floorOf(one, (u, c) => load(u, c.pid, rotating(byKeyPaths))),
      ),
    );

    const firstPage = `/api/v1/work_items?project=${project}&limit=50`;
    figures.push(
      ...compared(
        'GET /work_items?project&limit=50 (first page)',
        await load(url, child.pid, rotating([firstPage])),
        await floorOf(await getText(`${url}${firstPage}`), (u, c) => load(u, c.pid, rotating([firstPage]))),
      ),
    );

    const pages = Array.from({ length: 100 }, (_, i) => `/api/v1/work_items?project=${project}&limit=50&offset=${i * 50}`);
    figures.push(
      ...compared(
        'GET /work_items pages 1-100 of 50',
        await load(url, child.pid, rotating(pages)),
        await floorOf(await getText(`${url}${pages[50]}`), (u, c) => load(u, c.pid, rotating(pages))),
      ),
    );

    const priorities = ['low', 'medium', 'high', 'critical'];
    const patch = () => rotating(byKeyPaths, 'PATCH', (i) => JSON.stringify({ priority: priorities[i % priorities.length] }));
    figures.push(
      ...compared(
        'PATCH /work_items/{key}',
        await load(url, child.pid, patch()),
        await floorOf(one, (u, c) => load(u, c.pid, patch())),
      ),
    );

    // The export, against the same bytes streamed from a file.
    const exports: number[] = [];
    const plain: number[] = [];
    let bytes = 0;
    await floorOf(
      '{}',
      async (floorUrl) => {
        for (let i = 0; i < 3; i++) {
          const run = await timed(() => download(`${api}/sync/export`));
          exports.push(run.ms);
          bytes = run.result;
          plain.push((await timed(() => download(`${floorUrl}/file`))).ms);
        }
        return { reqPerSec: 0, p99Ms: 0, cpuPerRequestUs: undefined };
      },
      join(repo, '.pm', 'data.json'),
    );
    figures.push(
      figure('server: GET /sync/export of the data set', median(exports) / 1000, 's', {
        value: median(plain) / 1000,
        name: 'node:http streaming .pm/data.json from disk',
      }),
      figure('server: export size', bytes / 1048576, 'MiB', {
        value: statSync(join(repo, '.pm', 'data.json')).size / 1048576,
        name: '.pm/data.json',
      }),
    );
    return figures;
  } finally {
    await stopServer(child);
  }
}
