import { afterEach, expect } from 'vitest';
import { azureDevOps } from '../../../../src/sync/connectors/azure-devops/index.js';
import { openConnector } from '../../../helpers/connectors.js';
import { FaultProxy } from '../../../helpers/fault-proxy.js';
import { AzureDevOpsFake } from '../../../helpers/fakes/azure-devops.js';
import { runConnectorCases } from '../connector.case.js';

/** The Azure DevOps connector against the spec-checked fake, through a proxy that can fail on cue. */

const fakes: AzureDevOpsFake[] = [];
afterEach(() => {
  for (const fake of fakes.splice(0)) expect(fake.violations).toEqual([]);
});

runConnectorCases({
  name: 'Azure DevOps',
  locksOptimistically: true,
  absent: ['time_entries'],
  async open(options = {}) {
    const fake = await new AzureDevOpsFake().start();
    fakes.push(fake);
    const faults = await FaultProxy.start(fake.url);
    const connector = await openConnector(
      azureDevOps,
      { url: `${faults.url}/${fake.organization}`, project: fake.project, timeout_ms: options.timeoutMs ?? 10_000 },
      fake.token,
    );
    return {
      connector,
      faults,
      retitle: (id, title) => Promise.resolve(fake.edit(Number(id), { 'System.Title': title })),
      remove: (type, id) => {
        if (type !== 'work_items') throw new Error(`the test removes only work items, not ${type}`);
        return Promise.resolve(fake.remove(Number(id)));
      },
    };
  },
});
