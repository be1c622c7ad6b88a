import type { ItemType, Priority } from '../../../domain/index.js';
import { itemTypes, priorities, statuses, type Vocabulary } from '../sdk/index.js';

/** The Agile process's types and states (map others, e.g. Scrum's Product Backlog Item, with --map-type). */
export const DEFAULT_TYPE_MAP: Record<ItemType, string> = { epic: 'Epic', story: 'User Story', task: 'Task' };
export const DEFAULT_STATUS_MAP: Record<string, string> = {
  backlog: 'New',
  todo: 'New',
  in_progress: 'Active',
  review: 'Resolved',
  done: 'Closed',
};
/** Microsoft.VSTS.Common.Priority: 1 is the highest. */
export const PRIORITY_MAP: Record<Priority, string> = { critical: '1', high: '2', medium: '3', low: '4' };

export interface AzureDevOpsVocabulary {
  types: Vocabulary<ItemType>;
  statuses: Vocabulary;
  priorities: Vocabulary<Priority>;
}

/** pm's values against the process's, with the connection's maps on top; `closed`: states of the Completed and Removed categories. */
export function azureDevOpsVocabulary(options: {
  mapType: Record<string, string>;
  mapStatus: Record<string, string>;
  localStatuses: readonly string[];
  closed: () => ReadonlySet<string>;
}): AzureDevOpsVocabulary {
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
