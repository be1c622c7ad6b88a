import { afterEach, expect } from 'vitest';
import { openProject } from '../../../../src/sync/connectors/openproject/index.js';
import { openConnector } from '../../../helpers/connectors.js';
import { FaultProxy } from '../../../helpers/fault-proxy.js';
import { OpenProjectFake } from '../../../helpers/fakes/openproject.js';
import { runConnectorCases } from '../connector.case.js';

/** The OpenProject connector against the spec-checked fake, through a proxy that can fail on cue. */

const fakes: OpenProjectFake[] = [];
afterEach(() => {
  for (const fake of fakes.splice(0)) expect(fake.violations).toEqual([]);
});

runConnectorCases({
  name: 'OpenProject',
  locksOptimistically: true,
  async open(options = {}) {
    const fake = await new OpenProjectFake().start();
    fakes.push(fake);
    const faults = await FaultProxy.start(fake.url);
    const connector = await openConnector(
      openProject,
      { url: faults.url, project: fake.project.identifier, timeout_ms: options.timeoutMs ?? 10_000 },
      fake.token,
    );
    return {
      connector,
      faults,
      retitle: (id, subject) => Promise.resolve(fake.editWorkPackage(Number(id), { subject })),
      remove: (type, id) => {
        if (type === 'work_items') fake.deleteWorkPackage(Number(id));
        else throw new Error(`the test removes only work items, not ${type}`);
        return Promise.resolve();
      },
    };
  },
});
