import type { ItemType, Priority } from '../../../domain/index.js';
import { itemTypes, priorities, statuses, type Vocabulary } from '../sdk/index.js';

/** OpenProject's default types, statuses and priorities (a fresh instance's seed data). */
export const DEFAULT_TYPE_MAP: Record<ItemType, string> = { epic: 'Epic', story: 'User story', task: 'Task' };
export const DEFAULT_STATUS_MAP: Record<string, string> = {
  backlog: 'New',
  todo: 'New',
  in_progress: 'In progress',
  review: 'In testing',
  done: 'Closed',
};
export const PRIORITY_MAP: Record<Priority, string> = { low: 'Low', medium: 'Normal', high: 'High', critical: 'Immediate' };

export interface OpenProjectVocabulary {
  types: Vocabulary<ItemType>;
  statuses: Vocabulary;
  priorities: Vocabulary<Priority>;
}

/** pm's values against OpenProject's, with the connection's maps on top; `closed` comes from OpenProject. */
export function openProjectVocabulary(options: {
  mapType: Record<string, string>;
  mapStatus: Record<string, string>;
  localStatuses: readonly string[];
  closed: () => ReadonlySet<string>;
}): OpenProjectVocabulary {
  return {
    types: itemTypes(DEFAULT_TYPE_MAP, options.mapType),
    statuses: statuses({
      map: { ...DEFAULT_STATUS_MAP, ...options.mapStatus },
      localStatuses: () => options.localStatuses,
      isClosed: (remote) => options.closed().has(remote),
      open: () => 'New',
      closed: () => 'Closed',
    }),
    priorities: priorities(PRIORITY_MAP),
  };
}
