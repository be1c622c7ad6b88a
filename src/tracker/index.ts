export type * from './tracker.js';
export type { TrackerContext } from './context.js';
export { LocalTracker } from './local-tracker.js';
export { resolveItem, resolveProject, projectKeys } from './refs.js';
export { lanesOf } from './lanes.js';
