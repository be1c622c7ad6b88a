import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import * as z from 'zod/mini';
import { parseInput } from '../domain/index.js';
import type { TokenScope } from '../store/index.js';
import { LocalTracker } from '../tracker/index.js';
import type { AppDeps } from './deps.js';
import type { JsonSchema } from './openapi-schemas.js';
import { coerceQuery, type RawQuery } from './query.js';

export const API_PREFIX = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<Q, B> {
  /** The `:ref` path parameter ('' on routes without one). */
  ref: string;
  query: Q;
  body: B;
  /** The use cases, acting as the request's actor. */
  tracker: LocalTracker;
  deps: AppDeps;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One endpoint: what it accepts (validated by the schemas the CLI's input goes through), who
 * may call it, and what it returns. The same list registers the routes and writes the OpenAPI
 * document, so the two cannot drift apart.
 */
export interface Route<Q = unknown, B = unknown> {
  method: HttpMethod;
  /** Below /api/v1, Fastify style: `/work_items/:ref`. */
  url: string;
  tag: string;
  summary: string;
  scope: TokenScope;
  /** Query parameters; omitted means none are accepted. */
  query?: z.ZodMiniType<Q, unknown>;
  /** A JSON body, or `snapshotBody`: a snapshot file streamed as the body. */
  body?: z.ZodMiniType<B, unknown> | StreamedBody<B>;
  /** Success status (200 by default). */
  status?: number;
  /** What a success returns, for the OpenAPI document. */
  returns?: () => JsonSchema;
  handler(ctx: RouteContext<Q, B>): Promise<unknown>;
}

export function route<Q = Record<string, never>, B = undefined>(spec: Route<Q, B>): Route<Q, B> {
  return spec;
}

// Handlers are checked where each route is defined; the registry holds them side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type AnyRoute = Route<any, any>;

const NO_QUERY = z.strictObject({});

function isEmpty(query: RawQuery): boolean {
  for (const _ in query) return false;
  return true;
}

/** A body left as the request stream: the handler spools it with its own limit. */
export interface StreamedBody<B> {
  kind: 'stream';
  /** Only carries the body's type. */
  readonly type?: B;
}
export type SnapshotBody = Readable | undefined;
export const snapshotBody: StreamedBody<SnapshotBody> = { kind: 'stream' };

function isStreamed(body: AnyRoute['body']): boolean {
  return body === snapshotBody;
}

function isSchema(body: AnyRoute['body']): body is z.ZodMiniType {
  return body !== undefined && !isStreamed(body);
}

export function takesStream(spec: AnyRoute): boolean {
  return isStreamed(spec.body);
}

class Context<Q, B> implements RouteContext<Q, B> {
  #tracker: LocalTracker | undefined;

  constructor(
    readonly ref: string,
    readonly query: Q,
    readonly body: B,
    readonly deps: AppDeps,
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
  ) {}

  /** Made when a handler asks for it: the hot paths read the store directly. */
  get tracker(): LocalTracker {
    return (this.#tracker ??= new LocalTracker({
      store: this.deps.store,
      actor: this.request.pm.actor,
      clock: this.deps.clock,
      doneStatuses: this.deps.doneStatuses,
    }));
  }
}

/** The routes whose requests share the sync rate limit. */
const RATE_LIMITED_PREFIX = '/sync/';

export function registerRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  deps: AppDeps,
  syncBudget: onRequestAsyncHookHandler,
): void {
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: `${API_PREFIX}${spec.url}`,
      config: { scope: spec.scope },
      ...(spec.url.startsWith(RATE_LIMITED_PREFIX) ? { onRequest: syncBudget } : {}),
      handler: async (request, reply) => {
        const raw = request.query as RawQuery;
        const query: unknown =
          spec.query === undefined && isEmpty(raw)
            ? {}
            : parseInput(spec.query ?? NO_QUERY, coerceQuery(spec.query ?? NO_QUERY, raw));
        const schema = spec.body;
        const body: unknown = isSchema(schema) ? parseInput(schema, request.body) : request.body;
        const params = request.params as Record<string, string | undefined>;
        const result = await spec.handler(new Context(params.ref ?? '', query, body, deps, request, reply));
        if (spec.status !== undefined) reply.code(spec.status);
        return result;
      },
    });
  }
}
