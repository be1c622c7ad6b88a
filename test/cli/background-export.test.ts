import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { backgroundExportPids } from '../../bench/lib.js';
import { lockFile, openStore } from '../../src/store/index.js';
import { exportQueued, markUnexported } from '../../src/sync/index.js';
import { pmProcess, webRepo } from '../helpers/cli.js';
import { commitAll, createTeam, setUp } from '../helpers/git.js';

/** A repository whose data.json auto-export always leaves to a background export. */
async function backgroundRepo() {
  const { dir, cli } = await webRepo();
  await cli.ok(['config', 'set', 'sync.background_export_mb', '0']);
  const run = (...args: string[]) => pmProcess(args, { cwd: dir });
  const snapshot = () => readFileSync(join(dir, '.pm', 'data.json'), 'utf8');
  const paths = { snapshot: join(dir, '.pm', 'data.json'), bases: join(dir, '.pm', 'bases') };
  return { dir, cli, run, snapshot, paths };
}

/** Holds the snapshot lock, as an export under way does, until `release`. */
function holdSnapshotLock(dir: string) {
  const lock = lockFile(join(dir, '.pm', 'data.json.lock'), 5000);
  if (!lock) throw new Error('the snapshot lock is busy');
  held.push(lock);
  return lock;
}
const held: { release(): void }[] = [];
afterEach(() => held.splice(0).forEach((lock) => lock.release()));

/** Waits for `done` to hold, up to 30 s, failing with `what`. */
function until(what: string, done: () => boolean): Promise<void> {
  return expect.poll(done, { message: `gave up waiting: ${what}`, timeout: 30_000, interval: 10 }).toBe(true);
}

const noBackgroundExport = (dir: string) => () => backgroundExportPids(dir).length === 0;

describe('auto-export of a large data.json', () => {
  it('returns before the export, which a process of its own then writes', async () => {
    const { dir, run, snapshot } = await backgroundRepo();
    const lock = holdSnapshotLock(dir);
    const added = await Promise.race([
      run('item', 'add', '--project', 'WEB', '--type', 'task', 'first'),
      sleep(15_000, 'waited'),
    ]);
    expect(added).not.toBe('waited');
    expect(snapshot()).not.toContain('"first"');
    expect(backgroundExportPids(dir)).toHaveLength(1);
    lock.release();
    await until('the background export', noBackgroundExport(dir));
    expect(snapshot()).toContain('"title":"first"');
    expect((await run('sync', 'export', '--pending')).stdout).toBe('.pm/data.json is up to date\n');
  });

  it('queues one export for commands in quick succession, which writes all their changes', async () => {
    const { dir, run, snapshot, paths } = await backgroundRepo();
    const lock = holdSnapshotLock(dir);
    for (const title of ['one', 'two', 'three']) {
      expect((await run('item', 'add', '--project', 'WEB', '--type', 'task', title)).code).toBe(0);
    }
    // A second export started before the first queued gives way to it.
    await until('one queued export', () => exportQueued(paths) && backgroundExportPids(dir).length === 1);
    lock.release();
    await until('the background export', noBackgroundExport(dir));
    for (const title of ['one', 'two', 'three']) expect(snapshot()).toContain(`"title":"${title}"`);
  });

  it('pm sync export --pending waits for the export under way', async () => {
    const { dir, run, snapshot } = await backgroundRepo();
    const lock = holdSnapshotLock(dir);
    expect((await run('item', 'add', '--project', 'WEB', '--type', 'task', 'first')).code).toBe(0);
    const pending = run('sync', 'export', '--pending');
    await sleep(300);
    expect(snapshot()).not.toContain('"first"');
    lock.release();
    expect((await pending).code).toBe(0);
    expect(snapshot()).toContain('"title":"first"');
  });

  it('pm sync status hashes a data.json touched since pm wrote it only after the export under way, and finds it its own', async () => {
    const { dir, run, snapshot, paths } = await backgroundRepo();
    const lock = holdSnapshotLock(dir);
    // Untouched: answered at once.
    expect(JSON.parse((await run('sync', 'status', '--json')).stdout)).toMatchObject({ snapshot: { not_taken_in: false } });
    writeFileSync(paths.snapshot, snapshot()); // the same bytes, a new file to stat
    let answered = false;
    const status = run('sync', 'status', '--json').finally(() => (answered = true));
    await sleep(300);
    expect(answered).toBe(false);
    lock.release();
    const { code, stdout } = await status;
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ snapshot: { not_taken_in: false } });
  });

  it('tells the next command when a background export failed, and the next export writes the file', async () => {
    const { dir, run, snapshot, paths } = await backgroundRepo();
    const lock = holdSnapshotLock(dir);
    expect((await run('item', 'add', '--project', 'WEB', '--type', 'task', 'first')).code).toBe(0);
    await until('the export queued', () => exportQueued(paths));
    // A hand edit while it waits: writing the file now would overwrite it.
    writeFileSync(paths.snapshot, snapshot().replace('"title":"Website"', '"title":"Web site"'));
    lock.release();
    await until('the background export', noBackgroundExport(dir));
    expect(snapshot()).not.toContain('"first"');
    const next = await run('item', 'list', '--project', 'WEB');
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/a background export of \.pm\/data\.json failed: \S+ .*not taken in/);
    await until('the next background export', noBackgroundExport(dir));
    expect(snapshot()).toContain('"title":"first"');
    expect(snapshot()).toContain('"title":"Web site"');
    expect((await run('item', 'list', '--project', 'WEB')).stderr).toBe('');
  });

  it('leaves data.json marked until the export lands, so git commit -a takes it and its hook writes it', async () => {
    const team = createTeam();
    const ann = team.clone('ann');
    await setUp(ann);
    await ann.pm('project', 'add', 'WEB', 'Website');
    await ann.pm('config', 'set', 'sync.background_export_mb', '0');
    commitAll(ann, 'start');
    // An export queued that has not started: the command leaves the change to it.
    const queued = lockFile(join(ann.dir, '.pm', 'data.json.queue.lock'), 0)!;
    held.push(queued);
    const added = await pmProcess(['item', 'add', '--project', 'WEB', '--type', 'task', 'first'], {
      cwd: ann.dir,
      env: team.env,
    });
    expect(added.code).toBe(0);
    expect(backgroundExportPids(ann.dir)).toHaveLength(0);
    expect(ann.git('status', '--porcelain')).toBe('M .pm/data.json');
    ann.git('commit', '-q', '-a', '-m', 'add first');
    expect(ann.git('show', 'HEAD:.pm/data.json')).toContain('"title":"first"');
  });

  it('pm sync export --pending writes a file left marked unexported, though nothing else is pending', async () => {
    const { dir, cli } = await webRepo();
    const paths = { snapshot: join(dir, '.pm', 'data.json'), bases: join(dir, '.pm', 'bases') };
    const store = await openStore(join(dir, '.pm', 'data.db'));
    try {
      expect(await markUnexported(store, paths)).toBe(true);
    } finally {
      await store.close();
    }
    expect(readFileSync(paths.snapshot, 'utf8').endsWith('}\n\n')).toBe(true);
    expect((await cli.ok(['sync', 'export', '--pending'])).stdout).toMatch(/^Exported \d+ records/);
    expect(readFileSync(paths.snapshot, 'utf8').endsWith('}\n')).toBe(true);
    expect(readFileSync(paths.snapshot, 'utf8').endsWith('}\n\n')).toBe(false);
  });

  it('is written before the command returns while data.json is smaller than background_export_mb', async () => {
    const { dir, cli } = await webRepo();
    const added = await pmProcess(['item', 'add', '--project', 'WEB', '--type', 'task', 'first'], { cwd: dir });
    expect(added.code).toBe(0);
    expect(backgroundExportPids(dir)).toHaveLength(0);
    expect(readFileSync(join(dir, '.pm', 'data.json'), 'utf8')).toContain('"title":"first"');
    expect((await cli.ok(['sync', 'export', '--pending'])).stdout).toBe('.pm/data.json is up to date\n');
  });
});
