import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultLanes } from '../domain/index.js';
import { openStore, type Store } from '../store/index.js';
import { DEFAULT_CONFIG_TOML } from './config.js';
import { databaseTarget, pathsFor, type WorkspacePaths } from './workspace.js';

/** What stays out of git. `data.json` (the snapshot) and `config.toml` are tracked. */
export const PM_GITIGNORE = `# pm: local files, never committed. data.json and config.toml are tracked.
data.db
data.db-*
*-wal
*-shm
*.lock
server.json
logs/
*.log
secrets.toml
bases/
tmp/
# Unfinished writes (an export killed midway), even beside data.json.
.*.tmp-*
# Tracked, even when a .gitignore above this folder ignores such files (*.json, *.toml).
!data.json
!config.toml
!.gitignore
`;

/** The lines that keep pm's tracked files in git; `pm init` adds them to a `.gitignore` made before they existed. */
const REINCLUDE = PM_GITIGNORE.slice(PM_GITIGNORE.indexOf('# Tracked,'));
const UNFINISHED = '.*.tmp-*';
/** Rules a `.gitignore` made by an older pm may lack, each with the lines `pm init` adds for it. */
const ADDED_LATER: readonly (readonly [string, string])[] = [
  ['!data.json', REINCLUDE],
  [UNFINISHED, `# Unfinished writes (an export killed midway).\n${UNFINISHED}\n`],
];

export interface InitResult {
  paths: WorkspacePaths;
  /** Files this run created (an existing file is never overwritten). */
  created: string[];
  /** Files this run completed: a `.pm/.gitignore` without the lines that keep data.json tracked. */
  updated: string[];
  lanesCreated: number;
  schema: { from: number; to: number };
}

/** Creates `.pm/` with its files and database; safe to run again (it only fills in what is missing). */
export async function initWorkspace(dir: string, env: NodeJS.ProcessEnv): Promise<InitResult> {
  const paths = pathsFor(dir);
  mkdirSync(paths.dir, { recursive: true });
  const created: string[] = [];
  const ensureFile = (path: string, content: string) => {
    if (existsSync(path)) return;
    writeFileSync(path, content, { flag: 'wx' });
    created.push(path);
  };
  const updated: string[] = [];
  const ignore = join(paths.dir, '.gitignore');
  ensureFile(ignore, PM_GITIGNORE);
  for (const [rule, block] of ADDED_LATER) {
    const lines = readFileSync(ignore, 'utf8');
    if (lines.split(/\r?\n/).includes(rule)) continue;
    appendFileSync(ignore, `${lines === '' || lines.endsWith('\n') ? '' : '\n'}${block}`);
    if (!updated.includes(ignore)) updated.push(ignore);
  }
  ensureFile(paths.config, DEFAULT_CONFIG_TOML);
  const target = databaseTarget(paths, env);
  const hadDatabase = target !== paths.database || existsSync(paths.database);
  const store = await openStore(target);
  try {
    const to = await store.schemaVersion();
    const lanesCreated = await store.write((tx) => ensureDefaultLaneRecords(tx));
    if (!hadDatabase) created.push(paths.database);
    return { paths, created, updated, lanesCreated, schema: { from: hadDatabase ? to : 0, to } };
  } finally {
    await store.close();
  }
}

async function ensureDefaultLaneRecords(tx: Store): Promise<number> {
  let created = 0;
  for (const lane of defaultLanes()) {
    if (await tx.get('swim_lanes', lane.id)) continue;
    await tx.insert('swim_lanes', lane, { localSeq: 0 });
    created++;
  }
  return created;
}
