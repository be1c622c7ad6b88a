import {
  commentPatch,
  newCommentInput,
  newId,
  newMeta,
  parseInput,
  type Comment,
  type NewCommentInput,
} from '../domain/index.js';
import type { Store } from '../store/index.js';
import { authorOf, type TrackerContext } from './context.js';
import { deleteRecord, patchRecord } from './records.js';
import { requireById, resolveItem } from './refs.js';

export async function addComment(ctx: TrackerContext, tx: Store, raw: NewCommentInput): Promise<Comment> {
  const input = parseInput(newCommentInput, raw);
  const item = await resolveItem(tx, input.item);
  const comment: Comment = { id: newId(), work_item_id: item.id, content: input.content, ...newMeta(authorOf(ctx)) };
  await tx.insert('comments', comment);
  return comment;
}

export async function listComments(tx: Store, itemRef: string): Promise<Comment[]> {
  const item = await resolveItem(tx, itemRef, { deleted: true });
  return tx.list('comments', {
    where: { work_item_id: item.id },
    orderBy: [
      ['created_at', 'asc'],
      ['id', 'asc'],
    ],
  });
}

export async function getComment(tx: Store, ref: string): Promise<Comment> {
  return requireById(tx, 'comments', ref);
}

export async function editComment(
  ctx: TrackerContext,
  tx: Store,
  ref: string,
  content: string,
  expectedVersion?: number,
): Promise<Comment> {
  const input = parseInput(commentPatch, { content });
  const comment = await requireById(tx, 'comments', ref);
  return patchRecord(ctx, tx, 'comments', comment, { content: input.content }, expectedVersion);
}

export async function removeComment(ctx: TrackerContext, tx: Store, ref: string): Promise<Comment> {
  return deleteRecord(ctx, tx, 'comments', await requireById(tx, 'comments', ref));
}
