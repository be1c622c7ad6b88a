import type { FastifyReply } from 'fastify';
import * as z from 'zod/mini';
import { nonEmpty, statusValueSchema } from '../domain/index.js';
import { API_PREFIX } from './route.js';

/**
 * The few request shapes the domain has no schema for, built from the domain's own pieces.
 * Everything else is validated with the schemas in src/domain/inputs.ts.
 */

export const refParam = nonEmpty(200);
export const flag = z.optional(z.boolean());

/** A patch plus its precondition: refused with 409 unless the record is still at `version`. */
export function withVersion<S extends z.ZodMiniObject>(schema: S) {
  return z.extend(schema, { version: z.optional(z.int().check(z.gte(1))) });
}

/** The rank is checked by the tracker, so its message is the CLI's. */
export const moveInput = z.strictObject({
  status: statusValueSchema,
  position: z.optional(z.int()),
  /** Next to another item of the lane (display key or id), instead of a position. */
  before: z.optional(refParam),
  after: z.optional(refParam),
  /** Only if the item is still at this version (else 409 with the current record). */
  version: z.optional(z.int().check(z.gte(1))),
});

/** 201 with where the new record lives. */
export function created<T extends { id: string }>(reply: FastifyReply, type: string, record: T): T {
  reply.code(201).header('location', `${API_PREFIX}/${type}/${record.id}`);
  return record;
}
