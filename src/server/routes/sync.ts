import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { ValidationError, toTimestamp } from '../../domain/index.js';
import { IMPORT_MODES, audit, audited, importSnapshot, writeSnapshot, type AuditSource } from '../../sync/index.js';
import type { AppDeps, BulkStore } from '../deps.js';
import { payloadTooLarge } from '../errors.js';
import { object } from '../openapi-schemas.js';
import { route, snapshotBody, type SnapshotBody } from '../route.js';
import { flag } from '../schemas.js';
import { spool, streamSink } from '../streams.js';

const tag = 'sync';
const SHA256_RE = /^[0-9a-f]{64}$/;
/** Uploaded bases nobody imported against are dropped after this long. */
const BASE_TTL_MS = 60 * 60 * 1000;

const sha256 = z.string().check(z.regex(SHA256_RE, 'expected a sha256: 64 lowercase hex digits'));

function bulk(deps: AppDeps): Promise<BulkStore> {
  return deps.bulkStore ? deps.bulkStore() : Promise.resolve({ store: deps.store, release: () => Promise.resolve() });
}

function folder(deps: AppDeps, name: 'uploads' | 'bases'): string {
  const dir = join(deps.tmpDir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A declared Content-Length over the limit is refused before a byte is read. */
function refuseDeclaredSize(request: FastifyRequest, limit: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
}

async function withUpload<T>(
  deps: AppDeps,
  request: FastifyRequest,
  body: SnapshotBody,
  use: (file: string, sha256: string) => Promise<T>,
) {
  const limit = deps.settings.importLimit;
  refuseDeclaredSize(request, limit);
  if (body === undefined)
    throw new ValidationError([{ path: 'body', message: 'send the snapshot as the body (Content-Type: application/json)' }]);
  const file = join(folder(deps, 'uploads'), `${randomUUID()}.json`);
  try {
    const { sha256 } = await spool(body, file, limit);
    return await use(file, sha256);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Who sent a request, for the audit log. */
export function auditSource(deps: AppDeps, request: FastifyRequest): AuditSource {
  const agent = request.headers['user-agent'];
  return {
    actor: request.pm.actor,
    at: toTimestamp(deps.clock()),
    source_ip: request.ip,
    user_agent: typeof agent === 'string' ? agent.slice(0, 500) : null,
    log: (message) => request.log.warn(message),
  };
}

function dropStaleBases(dir: string, now: number): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (now - statSync(path).mtimeMs > BASE_TTL_MS) rmSync(path, { force: true });
  }
}

const importResult = () =>
  object(
    {
      mode: { enum: [...IMPORT_MODES] },
      dry_run: { type: 'boolean' },
      counts: { type: 'object', description: 'per entity type: created, updated, unchanged, conflicts, deleted, rejected' },
      renumbered: { type: 'array' },
      repairs: { type: 'integer' },
      rejected: { type: 'array' },
      hash: { type: 'string' },
      canonical: { type: 'boolean' },
    },
    'what the import did, per entity type',
  );

export const syncRoutes = [
  route({
    method: 'GET',
    url: '/sync/export',
    tag,
    scope: 'read',
    summary: 'Stream every record as the canonical snapshot: the same bytes pm sync export writes',
    returns: () => ({ $ref: '#/components/schemas/Snapshot' }),
    handler: async ({ deps, reply, request }) => {
      await audit(deps.store, auditSource(deps, request), {
        action: 'snapshot_exported',
        entity_type: 'snapshot',
        entity_id: null,
        details: { file: 'response body' },
      });
      const source = await bulk(deps);
      const out = new PassThrough();
      writeSnapshot(source.store, streamSink(out))
        .then(
          () => out.end(),
          (error: unknown) => {
            request.log.warn({ err: error }, 'export ended early');
            out.destroy(error as Error);
          },
        )
        .finally(() => source.release())
        .catch((error: unknown) => request.log.error({ err: error }, 'closing the export store failed'));
      return reply.header('content-type', 'application/json; charset=utf-8').send(out);
    },
  }),
  route({
    method: 'POST',
    url: '/sync/import',
    tag,
    scope: 'write',
    summary:
      'Merge (or replace with) a snapshot streamed as the body, in one transaction; three-way when base names an uploaded base. Answers the counts per entity type.',
    query: z.strictObject({
      mode: z.optional(z.enum(IMPORT_MODES)),
      dry_run: flag,
      force: flag,
      /** The sha256 of a base uploaded to /sync/bases/{sha256}: the snapshot both sides last agreed on. */
      base: z.optional(sha256),
    }),
    body: snapshotBody,
    returns: importResult,
    handler: ({ deps, request, body, query }) => {
      const base = query.base === undefined ? undefined : join(folder(deps, 'bases'), `${query.base}.json`);
      if (base !== undefined && !existsSync(base)) {
        throw new ValidationError([
          { path: 'base', message: `no base ${query.base} here: upload it to /api/v1/sync/bases/${query.base} first` },
        ]);
      }
      const mode = query.mode ?? 'merge';
      const dryRun = query.dry_run ?? false;
      const what = { file: 'request body', mode, dry_run: dryRun };
      return audited(
        deps.store,
        () => auditSource(deps, request),
        what,
        () =>
          withUpload(deps, request, body, async (file) => {
            const target = await bulk(deps);
            try {
              const result = await importSnapshot(target.store, file, {
                mode,
                dryRun,
                force: query.force ?? false,
                label: 'request body',
                ...(base ? { basePath: base } : {}),
              });
              if (base && !result.dry_run) rmSync(base, { force: true });
              return result;
            } finally {
              await target.release();
            }
          }),
      );
    },
  }),
  route({
    method: 'PUT',
    url: '/sync/bases/:ref',
    tag,
    scope: 'write',
    summary:
      'Upload the base of the next three-way import (the snapshot both sides last agreed on), named by its sha256; pm sync push sends it',
    body: snapshotBody,
    status: 204,
    handler: async ({ deps, request, body, ref }) => {
      const expected = sha256.safeParse(ref);
      if (!expected.success)
        throw new ValidationError([{ path: 'sha256', message: 'expected a sha256: 64 lowercase hex digits' }]);
      const dir = folder(deps, 'bases');
      dropStaleBases(dir, Date.now());
      await withUpload(deps, request, body, (file, actual) => {
        if (actual !== ref) {
          throw new ValidationError([{ path: 'sha256', message: `the body's sha256 is ${actual}, not ${ref}` }]);
        }
        renameSync(file, join(dir, `${ref}.json`));
        return Promise.resolve();
      });
      return null;
    },
  }),
];
