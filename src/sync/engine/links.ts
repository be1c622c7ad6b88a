import type { SyncLink } from '../../domain/index.js';
import type { LinkReader, SyncRepository } from '../../store/index.js';
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

/**
 * A connection's links for one run, by local id and by remote id. Where the store reads links
 * one at a time (SQLite), only those looked up are read, and kept; elsewhere, or when a run
 * will look at every link (full runs), all are read up front. What the run writes is kept here
 * before it reaches the database, and wins over it.
 */
export class LinkIndex {
  /** null: no link (removed by this run, or looked up and not there). */
  private readonly byLocal = new Map<string, SyncLink | null>();
  private readonly byRemote = new Map<string, SyncLink | null>();
  private whole = false;

  private constructor(
    private readonly repo: SyncRepository,
    private readonly connection: string,
    private readonly reader: LinkReader | undefined,
  ) {}

  static async load(repo: SyncRepository, connection: string, options: { whole?: boolean } = {}): Promise<LinkIndex> {
    const index = new LinkIndex(repo, connection, repo.linkReader(connection));
    if (options.whole || !index.reader) await index.readWhole();
    return index;
  }

  local(type: SyncedType, localId: string): SyncLink | undefined {
    return this.lookup(type, localId, 'local');
  }

  remote(type: SyncedType, remoteId: string): SyncLink | undefined {
    return this.lookup(type, remoteId, 'remote');
  }

  set(link: SyncLink): void {
    const previous = this.local(link.entity_type as SyncedType, link.local_id);
    if (previous) this.byRemote.set(key(previous.entity_type, previous.remote_id), null);
    this.byLocal.set(key(link.entity_type, link.local_id), link);
    this.byRemote.set(key(link.entity_type, link.remote_id), link);
  }

  remove(link: SyncLink): void {
    this.byLocal.set(key(link.entity_type, link.local_id), null);
    this.byRemote.set(key(link.entity_type, link.remote_id), null);
  }

  /** Every link of a type (all are read, once). */
  async all(type: SyncedType): Promise<SyncLink[]> {
    if (!this.whole) await this.readWhole();
    return [...this.byLocal.values()].filter((l): l is SyncLink => l !== null && l.entity_type === type);
  }

  /** A link by one of its ids: from what the run holds, else read and kept (under both ids). */
  private lookup(type: SyncedType, id: string, by: 'local' | 'remote'): SyncLink | undefined {
    const [mine, other] = by === 'local' ? [this.byLocal, this.byRemote] : [this.byRemote, this.byLocal];
    const known = mine.get(key(type, id));
    if (known !== undefined || this.whole) return known ?? undefined;
    const link = by === 'local' ? this.reader!.byLocal(type, id) : this.reader!.byRemote(type, id);
    mine.set(key(type, id), link ?? null);
    const otherKey = link && key(type, by === 'local' ? link.remote_id : link.local_id);
    if (otherKey && !other.has(otherKey)) other.set(otherKey, link);
    return link;
  }

  /** Reads every link; what this run already holds stays as it is. */
  private async readWhole(): Promise<void> {
    for (const type of SYNCED_TYPES) {
      for (const link of await this.repo.links(this.connection, type)) {
        const [local, remote] = [key(type, link.local_id), key(type, link.remote_id)];
        if (!this.byLocal.has(local)) this.byLocal.set(local, link);
        if (!this.byRemote.has(remote)) this.byRemote.set(remote, link);
      }
    }
    this.whole = true;
  }
}
