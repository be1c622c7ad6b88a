import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreBench } from './core.bench.js';
import { exportBench } from './export.bench.js';
import { FULL, SMALL, generateDataset } from './generate.js';
import type { Figure } from './lib.js';
import { gitBench } from './git.bench.js';
import { machineBench } from './machine.bench.js';
import { redmineBench } from './redmine.bench.js';
import { scaleOutBench } from './scaleout.bench.js';
import { serverBench } from './server.bench.js';
import { snapshotBench } from './snapshot.bench.js';
import { storeBench } from './store.bench.js';
import { webBench } from './web.bench.js';
import { taskwarriorBench } from './taskwarrior.bench.js';

/**
 * `npm run bench [-- --json] [-- --small] [-- --only core,snapshot]`: runs the benchmarks and
 * prints each figure with its floor (measured in the same run) and the ratio to it.
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const size = args.includes('--small') ? SMALL : FULL;
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;

// Node 20 reads NODE_EXTRA_CA_CERTS at every start (some 90 ms for a system bundle): a cost of
// this environment, not of pm, which would flatter every ratio to `node -e 0`. Nothing measured
// here opens a TLS connection, so the processes the bench starts go without it.
if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
  delete process.env.NODE_EXTRA_CA_CERTS;
  process.stderr.write('bench: NODE_EXTRA_CA_CERTS is unset for the processes it starts (Node 20 parses it at every start)\n');
}

/**
 * Suites run in order in one scratch folder. `loaded` is a repository holding the data set,
 * made by the core suite (which times the load) or on demand.
 */
const root = mkdtempSync(join(tmpdir(), 'pm-bench-'));
const loaded = join(root, 'repo');
let ready: Promise<void> | undefined;
const figures: Figure[] = [];
const emit = (results: Figure[]) => {
  figures.push(...results);
  if (!json) for (const f of results) print(f);
};

const suites: Record<string, () => Promise<Figure[]> | Figure[]> = {
  // Always first, whatever --only says: the machine's pace today, as context.
  machine: () => machineBench(),
  core: async () => {
    mkdirSync(loaded);
    const p = coreBench(loaded, generateDataset(size));
    ready = p.then(() => undefined);
    return p;
  },
  snapshot: async () => {
    await ensureLoaded();
    return snapshotBench(mkdtempSync(join(root, 'snapshot-')), loaded, size);
  },
  // Auto-export's share of an everyday write, against the same write with it off.
  export: async () => {
    await ensureLoaded();
    return exportBench(mkdtempSync(join(root, 'export-')), loaded);
  },
  git: async () => {
    await ensureLoaded();
    return gitBench(mkdtempSync(join(root, 'git-')), loaded);
  },
  server: async () => {
    await ensureLoaded();
    return serverBench(mkdtempSync(join(root, 'server-')), loaded);
  },
  // Writers racing for one database, SQLite and PostgreSQL (skipped without one): a data set of its own.
  store: () => storeBench(mkdtempSync(join(root, 'store-'))),
  // In Debian's chromium (skipped without it): a board of its own, 2,000 items in one project.
  web: () => webBench(mkdtempSync(join(root, 'web-')), size === SMALL ? 500 : 2_000),
  // Against Taskwarrior (skipped without `task`): data sets of its own.
  taskwarrior: () => taskwarriorBench(mkdtempSync(join(root, 'taskwarrior-')), size),
  // Sync runs split into batches over 1, 2 and 4 engines on one PostgreSQL (skipped without one),
  // against a fake remote and against the parallel Redmine peer (skipped without one).
  scaleout: () => scaleOutBench(size === SMALL ? 100 : 400, size === SMALL ? 50 : 200),
  // Against the Redmine peer (skipped without one): its own repository and data, not `loaded`.
  redmine: () => redmineBench(mkdtempSync(join(root, 'redmine-')), size === SMALL ? 200 : 2_000),
};

async function ensureLoaded(): Promise<void> {
  if (!ready) {
    mkdirSync(loaded);
    ready = coreBench(loaded, generateDataset(size), { loadOnly: true }).then(() => undefined);
  }
  await ready;
}

try {
  for (const [name, suite] of Object.entries(suites)) {
    if (only && !only.has(name) && name !== 'machine') continue;
    emit(await suite());
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);

function print(f: Figure): void {
  const value = `${String(f.value).padStart(10)} ${f.unit}`.padEnd(18);
  process.stdout.write(`${f.name.padEnd(72)} ${value} ×${String(f.ratio).padEnd(6)} (${f.floor_name}: ${f.floor} ${f.unit})\n`);
}
