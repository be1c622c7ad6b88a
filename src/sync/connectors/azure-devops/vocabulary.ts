import type { ItemType, Priority } from '../../../domain/index.js';

/**
 * The Agile process's types and states (map others, e.g. Scrum's Product Backlog Item, with
 * --map-type). Microsoft.VSTS.Common.Priority: 1 is the highest.
 */
export const AZURE_DEVOPS_VOCABULARY = {
  types: { epic: 'Epic', story: 'User Story', task: 'Task' } satisfies Record<ItemType, string>,
  statuses: { backlog: 'New', todo: 'New', in_progress: 'Active', review: 'Resolved', done: 'Closed' },
  priorities: { critical: '1', high: '2', medium: '3', low: '4' } satisfies Record<Priority, string>,
  open: 'New',
  closed: 'Closed',
};
