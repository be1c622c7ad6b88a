import type { SyncLink } from '../../domain/index.js';
import type { SyncRepository } from '../../store/index.js';
import { SYNCED_TYPES, type SyncedFields, type SyncedType } from '../connectors/index.js';

/** What both sides held at the last sync, each in its own terms (references as local ids). */
export interface LinkBase {
  local: SyncedFields;
  remote: SyncedFields;
}

export function baseOf(link: SyncLink): LinkBase {
  const base = link.base as Partial<LinkBase>;
  return { local: base.local ?? {}, remote: base.remote ?? {} };
}

const key = (type: string, id: string) => `${type}\u0000${id}`;

/** A connection's links in memory, by local id and by remote id, for one run. */
export class LinkIndex {
  private readonly byLocal = new Map<string, SyncLink>();
  private readonly byRemote = new Map<string, SyncLink>();

  static async load(repo: SyncRepository, connection: string): Promise<LinkIndex> {
    const index = new LinkIndex();
    for (const type of SYNCED_TYPES) for (const link of await repo.links(connection, type)) index.set(link);
    return index;
  }

  local(type: SyncedType, localId: string): SyncLink | undefined {
    return this.byLocal.get(key(type, localId));
  }

  remote(type: SyncedType, remoteId: string): SyncLink | undefined {
    return this.byRemote.get(key(type, remoteId));
  }

  set(link: SyncLink): void {
    const previous = this.byLocal.get(key(link.entity_type, link.local_id));
    if (previous) this.byRemote.delete(key(previous.entity_type, previous.remote_id));
    this.byLocal.set(key(link.entity_type, link.local_id), link);
    this.byRemote.set(key(link.entity_type, link.remote_id), link);
  }

  remove(link: SyncLink): void {
    this.byLocal.delete(key(link.entity_type, link.local_id));
    this.byRemote.delete(key(link.entity_type, link.remote_id));
  }

  all(type: SyncedType): SyncLink[] {
    return [...this.byLocal.values()].filter((l) => l.entity_type === type);
  }
}
