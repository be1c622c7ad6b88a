import type { AnyRecord } from '../../domain/index.js';
import {
  SYNCED_TYPES,
  type Connector,
  type LocalPatch,
  type Resource,
  type SyncedFields,
  type SyncedType,
} from '../connectors/index.js';

/** A resource as the engine holds it: it hands each resource only records of that resource's type. */
export type EngineResource = Omit<Resource, 'project' | 'toLocal'> & {
  project(record: AnyRecord): SyncedFields | null;
  toLocal(fields: SyncedFields, current: AnyRecord | undefined): LocalPatch;
};

/** The types a connector syncs, in reference order (what a record refers to comes first). */
export function syncedTypes(connector: Connector): SyncedType[] {
  return SYNCED_TYPES.filter((type) => connector.resources[type] !== undefined);
}

/** A type's resource; asking for one the connector does not sync is a bug in the engine. */
export function resourceOf(connector: Connector, type: SyncedType): EngineResource {
  const resource = connector.resources[type];
  if (!resource) throw new Error(`sync: the ${connector.kind} connector does not sync ${type}`);
  return resource;
}
