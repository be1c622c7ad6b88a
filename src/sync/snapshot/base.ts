import { existsSync } from 'node:fs';
import { ENTITY_TYPES, type AnyRecord, type EntityType } from '../../domain/index.js';
import { ID_RE } from './fields.js';
import { readSnapshot, type SnapshotEvent } from './reader.js';
import { normalizeRecord } from './records.js';

/** Lines a base holds in place of its file's (or besides them), per type and id. */
export type BaseLines = ReadonlyMap<EntityType, ReadonlyMap<string, string>>;

/**
 * The base of a three-way merge: the snapshot this replica last exchanged with a peer. Lookups
 * come in id order (as snapshot records do), so the base file is read once, front to back, and
 * only the lines asked for are parsed. Asked out of order, a section is loaded into memory.
 * `lines` go before the file's: the records exports wrote since the file was kept.
 */
export class BaseSnapshot {
  private readonly events: Generator<SnapshotEvent> | undefined;
  private current: { type: EntityType; id: string; text: string } | undefined;
  private readonly loaded = new Map<EntityType, Map<string, string>>();
  /** The furthest record asked for in order: the reader has passed everything before it. */
  private furthest: { type: EntityType; id: string } | undefined;

  constructor(
    private readonly path: string,
    private readonly lines?: BaseLines,
  ) {
    this.events = existsSync(path) ? readSnapshot(path, { raw: true }) : undefined;
    this.advance();
  }

  get exists(): boolean {
    return this.events !== undefined;
  }

  /** The record's line in the base, as it was written. */
  text(type: EntityType, id: string): string | undefined {
    if (!this.events) return undefined;
    const line = this.lines?.get(type)?.get(id);
    if (line !== undefined) return line;
    const inOrder = !this.furthest || order(this.furthest.type, this.furthest.id, type, id) <= 0;
    if (!inOrder || this.loaded.has(type)) return this.section(type).get(id);
    this.furthest = { type, id };
    return this.seek(type, id);
  }

  close(): void {
    this.events?.return(undefined);
  }

  private seek(type: EntityType, id: string): string | undefined {
    while (this.current && order(this.current.type, this.current.id, type, id) < 0) this.advance();
    return this.current && this.current.type === type && this.current.id === id ? this.current.text : undefined;
  }

  private advance(): void {
    if (!this.events) return;
    for (let next = this.events.next(); !next.done; next = this.events.next()) {
      const event = next.value;
      if (event.kind !== 'record') continue;
      const id = ID_RE.exec(event.text)?.[1];
      if (id === undefined) continue;
      this.current = { type: event.type, id, text: event.text };
      return;
    }
    this.current = undefined;
  }

  private section(type: EntityType): Map<string, string> {
    let map = this.loaded.get(type);
    if (map) return map;
    map = new Map();
    for (const event of readSnapshot(this.path, { raw: true })) {
      if (event.kind !== 'record' || event.type !== type) continue;
      const id = ID_RE.exec(event.text)?.[1];
      if (id !== undefined) map.set(id, event.text);
    }
    this.loaded.set(type, map);
    return map;
  }
}

function order(typeA: EntityType, idA: string, typeB: EntityType, idB: string): number {
  const a = ENTITY_TYPES.indexOf(typeA);
  const b = ENTITY_TYPES.indexOf(typeB);
  if (a !== b) return a - b;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

/** A record from its line in a base; a line that is not a valid record is no base. */
export function baseRecord(type: EntityType, text: string | undefined): AnyRecord | undefined {
  if (text === undefined) return undefined;
  const normalized = normalizeRecord(type, JSON.parse(text));
  return normalized.ok ? normalized.record : undefined;
}
