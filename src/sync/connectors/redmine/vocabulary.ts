import type { ItemType, Priority } from '../../../domain/index.js';
import { itemTypes, priorities, statuses, type Vocabulary } from '../sdk/index.js';

export const DEFAULT_TYPE_MAP: Record<ItemType, string> = { epic: 'Feature', story: 'Support', task: 'Bug' };
export const DEFAULT_STATUS_MAP: Record<string, string> = {
  backlog: 'New',
  todo: 'New',
  in_progress: 'In Progress',
  review: 'Feedback',
  done: 'Closed',
};
export const PRIORITY_MAP: Record<Priority, string> = { low: 'Low', medium: 'Normal', high: 'High', critical: 'Urgent' };

export interface RedmineVocabulary {
  types: Vocabulary<ItemType>;
  statuses: Vocabulary;
  priorities: Vocabulary<Priority>;
  /** The tracker of an item whose type has none. */
  defaultTracker: string;
}

/**
 * pm's values against Redmine's default trackers, statuses and priorities, with the connection's
 * maps on top. `closed` names Redmine's closed statuses (read from Redmine before a run).
 */
export function redmineVocabulary(options: {
  mapType: Record<string, string>;
  mapStatus: Record<string, string>;
  localStatuses: readonly string[];
  closed: () => ReadonlySet<string>;
}): RedmineVocabulary {
  return {
    types: itemTypes(DEFAULT_TYPE_MAP, options.mapType),
    statuses: statuses({
      map: { ...DEFAULT_STATUS_MAP, ...options.mapStatus },
      localStatuses: () => options.localStatuses,
      isClosed: (remote) => options.closed().has(remote),
      open: () => 'New',
      closed: () => 'Closed',
    }),
    priorities: priorities(PRIORITY_MAP, { Immediate: 'critical' }),
    defaultTracker: DEFAULT_TYPE_MAP.task,
  };
}
