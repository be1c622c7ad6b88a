import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Priority, WorkItem } from '../src/domain/index.js';
import { openStore } from '../src/store/index.js';
import { initWorkspace } from './floors.js';
import { generateDataset, loadDataset, type DatasetSize } from './generate.js';
import { PM_BIN, figure, processMediansMs, type Figure } from './lib.js';

const PEER = 'Taskwarrior';
const PRIORITY: Record<Priority, string> = { low: 'L', medium: 'M', high: 'H', critical: 'H' };
const DONE = new Set(['done']);

/** Taskwarrior's time format: 20251101T080000Z. */
const taskTime = (iso: string) => `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;

function hasTask(): boolean {
  return spawnSync('task', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The same items as Taskwarrior tasks: title, project, priority, entry time; finished items completed. */
function asTasks(items: readonly WorkItem[], projectKey: string): object[] {
  return items.map((item) => ({
    uuid: item.id,
    description: item.title,
    project: projectKey,
    priority: PRIORITY[item.priority],
    entry: taskTime(item.created_at),
    modified: taskTime(item.updated_at),
    status: DONE.has(item.status) ? 'completed' : 'pending',
    ...(DONE.has(item.status) ? { end: taskTime(item.updated_at) } : {}),
  }));
}

/**
 * Taskwarrior (Debian's `taskwarrior`, 2.6) as a peer for the everyday commands: add, list and
 * modify with 1,000, 10,000 and 100,000 items (as many as the data set has). Each figure is a
 * pm command against the same command of `task` on the same items, timed in turns as whole
 * processes (median). Skipped, with a note, where `task` is not installed.
 */
export async function taskwarriorBench(workdir: string, size: DatasetSize): Promise<Figure[]> {
  if (!hasTask()) {
    process.stderr.write('taskwarrior: skipped, `task` is not installed (Debian: apt-get install taskwarrior)\n');
    return [];
  }
  const figures: Figure[] = [];
  for (const count of [1_000, 10_000, 100_000].filter((n) => n <= size.items)) {
    const dir = mkdtempSync(join(workdir, `tw-${count}-`));
    try {
      figures.push(...(await compare(dir, count)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
}

async function compare(dir: string, count: number): Promise<Figure[]> {
  // pm: one project of `count` items, loaded through the store, its snapshot exported.
  const data = generateDataset({ projects: 1, sprints: 10, items: count, comments: 0, timeEntries: 0, dependencies: 0 }, 7);
  const repo = initWorkspace(join(dir, 'pm'));
  const store = await openStore(join(repo, '.pm', 'data.db'));
  try {
    await loadDataset(store, data);
  } finally {
    await store.close();
  }
  const key = data.projects[0]!.key;
  const env = {
    ...process.env,
    PM_ACTOR: 'bench@example.com',
    NO_COLOR: '1',
    TASKRC: join(dir, 'taskrc'),
    TASKDATA: join(dir, 'task'),
  };
  const exported = spawnSync(process.execPath, [PM_BIN, 'sync', 'export'], { cwd: repo, env });
  if (exported.status !== 0) throw new Error(exported.stderr.toString());

  // Taskwarrior: the same items, imported once, in a data folder and rc file of its own.
  mkdirSync(env.TASKDATA, { recursive: true });
  writeFileSync(env.TASKRC, `data.location=${env.TASKDATA}\nconfirmation=off\nverbose=nothing\nhooks=off\ncolor=off\n`);
  const tasksFile = join(dir, 'tasks.json');
  writeFileSync(tasksFile, JSON.stringify(asTasks(data.work_items, key)));
  const imported = spawnSync('task', ['import', tasksFile], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (imported.status !== 0)
    throw new Error(`task import failed (${imported.status ?? imported.signal ?? imported.error?.message}): ${imported.stderr}`);
  rmSync(tasksFile);

  const pm = (...args: string[]) => [process.execPath, PM_BIN, ...args];
  const task = (...args: string[]) => ['task', ...args];
  const n = count.toLocaleString('en');
  const runs = count >= 100_000 ? 5 : count >= 10_000 ? 9 : 15;
  const levels = ['low', 'medium', 'high'] as const;
  // Taskwarrior numbers the open tasks only: the items changed are among the first of those.
  const open = data.work_items.filter((w) => !DONE.has(w.status)).length;
  const nth = (i: number) => 1 + ((i * 7919) % open);
  const cases: [string, (run: number) => string[], (run: number) => string[]][] = [
    [
      'list the first 50 open items',
      () => pm('item', 'list', '--project', key, '--limit', '50'),
      () => task(`project:${key}`, 'limit:50', 'list'),
    ],
    [
      'add an item',
      (i) => pm('item', 'add', '--type', 'task', `Added by the bench ${i}`, '--project', key),
      (i) => task('add', `Added by the bench ${i}`, `project:${key}`),
    ],
    [
      'change an item',
      (i) => pm('item', 'edit', `${key}-${nth(i)}`, '--priority', levels[i % 3]!),
      (i) => task(String(nth(i)), 'modify', `priority:${PRIORITY[levels[i % 3]!]}`),
    ],
  ];
  return cases.map(([what, ours, theirs]) => {
    const [pmMs, taskMs] = processMediansMs([ours, theirs], { cwd: repo, env, runs });
    return figure(`taskwarrior: ${what}, ${n} items`, pmMs!, 'ms', { value: taskMs!, name: PEER });
  });
}
