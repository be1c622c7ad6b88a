import { DEFAULT_LANES } from './enums.js';
import { derivedId } from './ids.js';
import type { SwimLane } from './records.js';

const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * The lanes every repository starts with. Ids and timestamps are fixed, so the lanes that
 * `pm init` makes on two clones are the same records and merge into one.
 */
export function defaultLanes(): SwimLane[] {
  return DEFAULT_LANES.map((lane, i) => ({
    id: derivedId(`swim_lane:default:${lane.status_value}`),
    project_id: null,
    name: lane.name,
    status_value: lane.status_value,
    position: i + 1,
    is_default: true,
    version: 1,
    created_by: 'pm',
    updated_by: 'pm',
    created_at: EPOCH,
    updated_at: EPOCH,
    deleted_at: null,
    field_updated_at: {},
  }));
}
