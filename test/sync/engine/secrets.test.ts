import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { REDACTED } from '../../../src/domain/index.js';
import { openStore } from '../../../src/store/index.js';
import { FaultProxy } from '../../helpers/fault-proxy.js';
import { redminePeer, syncFixture } from '../../helpers/redmine.js';
import { apiClient, servePm } from '../../helpers/server.js';

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

describe('a remote that echoes the API key in its error bodies', () => {
  test('never gets the key stored, audited, served or printed', async () => {
    const proxy = await FaultProxy.start(redminePeer().url);
    const f = await syncFixture({ url: proxy.url });
    const key = f.env.PM_REDMINE_API_KEY!;
    const echo = (status: number) => ({
      kind: 'status' as const,
      status,
      body: JSON.stringify({ errors: [`API key ${key} is not allowed here (${encodeURIComponent(key)})`] }),
    });
    await f.pm.ok(['item', 'add', '--type', 'task', 'Task 1']);
    const printed: string[] = [];

    // A refusal of the listing fails the run (sync_runs.error); a refused create fails an item.
    proxy.inject({ method: 'GET', path: /^\/issues\.json/, fault: echo(422) });
    const failed = await f.pm.run(['sync', 'run', '--json']);
    printed.push(failed.stdout, failed.stderr);
    expect(failed.stdout).toContain(`422: API key ${REDACTED} is not allowed here (${REDACTED})`);
    proxy.inject({ method: 'POST', path: /^\/issues\.json$/, fault: echo(500), times: Infinity });
    const partly = await f.pm.run(['sync', 'run', '--direction', 'push', '--json']);
    printed.push(partly.stdout, partly.stderr);
    const runs = await f.pm.run(['sync', 'runs', '--json']);
    const failures = await f.pm.run(['sync', 'failures']);
    printed.push(runs.stdout, runs.stderr, failures.stdout, failures.stderr);
    expect(failures.stdout).toContain(`500: API key ${REDACTED}`);
    for (const text of printed) expect(text).not.toContain(key);

    const store = await openStore(join(f.dir, '.pm', 'data.db'));
    try {
      const stored = JSON.stringify([
        await store.sync.listRuns({ limit: 100 }),
        await store.sync.failures({ limit: 100 }),
        await store.sync.listAudit({ limit: 100 }),
      ]);
      expect(stored).toContain(REDACTED);
      expect(stored).not.toContain(key);
    } finally {
      await store.close();
    }

    const api = apiClient(await servePm(f.dir, f.env));
    const runList = await api.get<{ runs: { id: string }[] }>('/sync/runs');
    const served = [runList.text];
    for (const run of runList.body.runs) served.push((await api.get(`/sync/runs/${run.id}`)).text);
    served.push((await api.get('/sync/failures')).text, (await api.get('/sync/audit')).text);
    expect(served.join('\n')).toContain(REDACTED);
    for (const text of served) expect(text).not.toContain(key);
  });
});
