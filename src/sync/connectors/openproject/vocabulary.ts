import type { ItemType, Priority } from '../../../domain/index.js';

/** OpenProject's default types, statuses and priorities (a fresh instance's seed data). */
export const OPENPROJECT_VOCABULARY = {
  types: { epic: 'Epic', story: 'User story', task: 'Task' } satisfies Record<ItemType, string>,
  statuses: { backlog: 'New', todo: 'New', in_progress: 'In progress', review: 'In testing', done: 'Closed' },
  priorities: { low: 'Low', medium: 'Normal', high: 'High', critical: 'Immediate' } satisfies Record<Priority, string>,
  open: 'New',
  closed: 'Closed',
};
