import type { Dialect } from '../../src/store/index.js';
import type { SyncRun } from '../../src/domain/index.js';
import { SyncEngine, type RawConnection } from '../../src/sync/index.js';
import { MemoryTracker, memoryDefinition } from './memory-tracker.js';
import { testApp, type TestApp } from './server.js';
import { freshTracker } from './tracker.js';

const requester = { actor: 'tester@example.com' };

/**
 * The API with a sync engine whose one connection, `memory`, syncs project WEB with a tracker in
 * memory: the sync routes without a real tracker. `sync` runs a run to its end in process.
 */
export async function memorySyncApp(dialect: Dialect, settings: Record<string, unknown> = {}) {
  const { store, tracker: local } = await freshTracker(dialect);
  await local.addProject({ key: 'WEB', title: 'Website' });
  const remote = new MemoryTracker();
  const connection: RawConnection = {
    name: 'memory',
    kind: 'memory',
    settings: { url: 'http://memory.invalid', project: 'web', workers: 2, ...settings },
    secret: 'key',
    source: 'test',
  };
  const engine = new SyncEngine({
    store,
    connections: () => connection,
    definitions: [memoryDefinition(remote)],
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    log: () => undefined,
  });
  const app: TestApp = await testApp(dialect, { store, deps: { sync: engine } });
  const sync = async (request: Parameters<SyncEngine['request']>[0] = {}): Promise<SyncRun> => {
    const { run } = await engine.request(request, requester);
    return engine.execute(run.id, requester);
  };
  /** Waits for a run the server started in the background. */
  const settle = (runId: string): Promise<SyncRun> => engine.execute(runId, requester);
  return { app, api: app.api, store, local, remote, engine, sync, settle };
}
