import { MemoryTracker, memoryDefinition } from '../../helpers/memory-tracker.js';
import { openConnector } from '../../helpers/connectors.js';
import { runConnectorCases } from './connector.case.js';

/** The in-memory tracker the engine's tests run against keeps the same contract as the real ones. */
runConnectorCases({
  name: 'in-memory',
  locksOptimistically: false,
  async open() {
    const tracker = new MemoryTracker();
    const connector = await openConnector(memoryDefinition(tracker), { url: 'http://memory.invalid', project: 'p' }, 'key');
    return {
      connector,
      retitle: (id, title) => Promise.resolve(void tracker.put('work_items', { title }, { id })),
      remove: (type, id) => Promise.resolve(void tracker.remove(type, id)),
    };
  },
});
