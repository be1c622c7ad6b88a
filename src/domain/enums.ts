/** Closed sets of the data model, each an `as const` tuple with a derived type. */

export const PROJECT_STATUSES = ['active', 'archived'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const SPRINT_STATUSES = ['planned', 'active', 'completed', 'cancelled'] as const;
export type SprintStatus = (typeof SPRINT_STATUSES)[number];

export const ITEM_TYPES = ['epic', 'story', 'task'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const DEPENDENCY_TYPES = ['blocks', 'relates_to'] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

export const CONFLICT_SIDES = ['ours', 'theirs'] as const;
export type ConflictSide = (typeof CONFLICT_SIDES)[number];

export const CONFLICT_RESOLUTIONS = ['ours', 'theirs', 'value'] as const;
export type ConflictResolution = (typeof CONFLICT_RESOLUTIONS)[number];

/** The swim lanes `pm init` creates; their ids are derived from the status so every clone agrees. */
export const DEFAULT_LANES = [
  { name: 'Backlog', status_value: 'backlog' },
  { name: 'To do', status_value: 'todo' },
  { name: 'In progress', status_value: 'in_progress' },
  { name: 'Review', status_value: 'review' },
  { name: 'Done', status_value: 'done' },
] as const;

/** Statuses that count as finished unless `config.toml` says otherwise. */
export const DEFAULT_DONE_STATUSES = ['done'] as const;

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
