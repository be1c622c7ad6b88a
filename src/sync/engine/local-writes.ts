import {
  ENTITIES,
  InvariantError,
  ValidationError,
  applyPatch,
  newId,
  newMeta,
  toIssues,
  type AnyRecord,
  type Author,
  type Dependency,
  type WorkItem,
} from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { LocalPatch, SyncedType } from '../connectors/index.js';

/** Space left between neighbouring board positions (as the tracker leaves it). */
const POSITION_STEP = 1024;

export interface NewRecordContext {
  projectId: string;
  /** The status a new item gets when the remote gives none pm knows. */
  firstStatus: string;
  author: Author;
}

/** A new local record made from a remote one: pm's defaults, then the remote's fields. */
export async function buildLocalRecord(
  tx: Store,
  type: SyncedType,
  patch: LocalPatch,
  ctx: NewRecordContext,
): Promise<AnyRecord> {
  const meta = newMeta(ctx.author);
  const today = new Date(ctx.author.now).toISOString().slice(0, 10);
  let record: Record<string, unknown>;
  switch (type) {
    case 'sprints':
      record = {
        id: newId(),
        project_id: ctx.projectId,
        goal: null,
        start_date: today,
        end_date: today,
        status: 'planned',
        ...patch,
        ...meta,
      };
      break;
    case 'work_items': {
      const status = (patch.status as string | undefined) ?? ctx.firstStatus;
      record = {
        id: newId(),
        project_id: ctx.projectId,
        parent_id: null,
        item_type: 'task',
        item_number: await tx.allocateItemNumber(ctx.projectId),
        description: null,
        status,
        priority: 'medium',
        position: ((await tx.maxPosition(ctx.projectId, status)) ?? 0) + POSITION_STEP,
        story_points: null,
        assignee_id: null,
        sprint_id: null,
        ...patch,
        ...meta,
      };
      break;
    }
    case 'time_entries':
      record = { id: newId(), user_id: ctx.author.actor, description: null, ...patch, ...meta };
      break;
    default:
      record = { id: newId(), ...patch, ...meta };
  }
  return checked(type, record as unknown as AnyRecord);
}

/** The local record with the remote's fields, or null when nothing changes. */
export function patchLocalRecord(type: SyncedType, record: AnyRecord, patch: LocalPatch, author: Author): AnyRecord | null {
  const next = applyPatch(record, patch as Partial<AnyRecord>, author);
  return next ? checked(type, next) : null;
}

function checked(type: SyncedType, record: AnyRecord): AnyRecord {
  const result = ENTITIES[type].schema.safeParse(record);
  if (!result.success) throw new ValidationError(toIssues(result.error));
  return record;
}

/** What pm refuses however the record arrives: a parent loop, a blocks cycle. */
export async function assertLocalInvariants(tx: Store, type: SyncedType, record: AnyRecord): Promise<void> {
  if (record.deleted_at !== null) return;
  if (type === 'work_items') {
    const item = record as WorkItem;
    if (item.parent_id !== null && (item.parent_id === item.id || (await tx.ancestorIds(item.parent_id)).includes(item.id))) {
      throw new InvariantError('parent_cycle', 'this parent would make the parent chain loop', 'parent_id');
    }
  }
  if (type === 'dependencies') {
    const dep = record as Dependency;
    if (dep.dependency_type === 'blocks' && (await tx.blocksReachable(dep.blocked_item_id, dep.blocking_item_id))) {
      throw new InvariantError('dependency_cycle', 'this dependency would close a blocks cycle', 'blocking_item_id');
    }
  }
}
