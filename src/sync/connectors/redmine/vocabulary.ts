import type { ItemType, Priority } from '../../../domain/index.js';

/** Redmine's default trackers, statuses and priorities. */
export const REDMINE_VOCABULARY = {
  types: { epic: 'Feature', story: 'Support', task: 'Bug' } satisfies Record<ItemType, string>,
  statuses: { backlog: 'New', todo: 'New', in_progress: 'In Progress', review: 'Feedback', done: 'Closed' },
  priorities: { low: 'Low', medium: 'Normal', high: 'High', critical: 'Urgent' } satisfies Record<Priority, string>,
  priorityAliases: { Immediate: 'critical' } satisfies Record<string, Priority>,
  open: 'New',
  closed: 'Closed',
};
