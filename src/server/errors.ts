import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PmError, ValidationError, isPmError, type ErrorCode } from '../domain/index.js';

/** The one place error codes become HTTP statuses (the CLI's twin is `EXIT_CODES`). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  ambiguous_ref: 400,
  cross_project_parent: 400,
  self_reference: 400,
  sprint_dates: 400,
  deleted_reference: 400,
  snapshot_invalid: 400,
  schema_too_new: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  version_conflict: 409,
  dependency_cycle: 409,
  parent_cycle: 409,
  has_dependents: 409,
  timer_running: 409,
  no_timer: 409,
  replace_refused: 409,
  snapshot_not_taken_in: 409,
  locked: 409,
  run_finished: 409,
  not_failed: 400,
  batch_taken_over: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  not_initialized: 500,
  config_invalid: 500,
  internal: 500,
  remote_failed: 502,
};

/** The JSON every error answers with: `{ "error": { "code", "message", "field"?, "details"? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; details?: unknown };
}

export function errorBody(error: PmError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.field !== undefined ? { field: error.field } : {}),
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  };
}

export function payloadTooLarge(limit: number): PmError {
  return new PmError('payload_too_large', `the request body is larger than this server accepts (${limit} bytes)`, {
    details: { limit_bytes: limit },
  });
}

/**
 * Errors Fastify raises before a handler runs (parsing, routing, limits) in pm's terms. Their
 * messages describe the request, never the server, so they are safe to pass on.
 */
function fromFastify(error: FastifyError, request: FastifyRequest, bodyLimit: number): PmError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PmError(
        'unsupported_media_type',
        `unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}: send application/json`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ValidationError([{ path: 'body', message: 'the body is empty: send a JSON object' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ValidationError([{ path: 'body', message: 'the body is not valid JSON' }]);
  }
  const status = error.statusCode ?? 500;
  if (error instanceof SyntaxError && status === 400) {
    return new ValidationError([{ path: 'body', message: 'the body is not valid JSON' }]);
  }
  if (status === 404) return new PmError('not_found', error.message);
  if (status === 413) return payloadTooLarge(bodyLimit);
  if (status === 415) return new PmError('unsupported_media_type', error.message);
  if (status >= 400 && status < 500) return new ValidationError([{ path: '', message: error.message }], error.message);
  return undefined;
}

/**
 * Turns any error into the one error shape. Anything that is not a PmError or a request error
 * is a bug: it is logged with its stack and answered as a bare 500, without internals.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimit: number): FastifyReply {
  const known = isPmError(error) ? error : fromFastify(error as FastifyError, request, bodyLimit);
  if (!known) {
    request.log.error({ err: error }, 'request failed');
    const internal = new PmError('internal', `internal server error (request ${request.id}): see the server log`);
    return reply.code(500).send(errorBody(internal));
  }
  const status = HTTP_STATUS[known.code];
  if (status >= 500) request.log.error({ err: known }, 'request failed');
  if (known.code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="pm"');
  // A client still sending a body we refused gets the answer now, then the connection closes.
  if (known.code === 'payload_too_large') reply.header('connection', 'close');
  return reply.code(status).send(errorBody(known));
}
