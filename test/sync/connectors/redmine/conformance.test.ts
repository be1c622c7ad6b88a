import { vi } from 'vitest';
import { redmine } from '../../../../src/sync/connectors/redmine/index.js';
import { openConnector } from '../../../helpers/connectors.js';
import { FaultProxy } from '../../../helpers/fault-proxy.js';
import { RedmineApi, redmineProject } from '../../../helpers/redmine.js';
import { runConnectorCases } from '../connector.case.js';

// One Redmine serves every test file at once, one request at a time: allow for the queue.
vi.setConfig({ testTimeout: 180_000 });

/** The Redmine connector against the real Redmine, through a proxy that can fail on cue. */
runConnectorCases({
  name: 'Redmine',
  locksOptimistically: false,
  async open(options = {}) {
    const api = new RedmineApi();
    const project = await redmineProject(api, 'c');
    const faults = await FaultProxy.start(api.peer.url);
    const connector = await openConnector(
      redmine,
      { url: faults.url, project, timeout_ms: options.timeoutMs ?? 10_000 },
      api.peer.apiKey,
    );
    return {
      connector,
      faults,
      retitle: (id, title) => api.updateIssue(Number(id), { subject: title }),
      remove: async (type, id) => {
        const path = { work_items: 'issues', sprints: 'versions', time_entries: 'time_entries', dependencies: 'relations' }[
          type as 'work_items'
        ];
        await api.ok('DELETE', `/${path}/${id}.json`);
      },
    };
  },
});
