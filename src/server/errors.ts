import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS, PmError, ValidationError, isPmError, type ErrorCode } from '../domain/index.js';

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
  not_ignored: 400,
  batch_taken_over: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  not_initialized: 500,
  config_invalid: 500,
  internal: 500,
  remote_failed: 502,
  host_not_allowed: 403,
  cross_site_request: 403,
  no_connection: 409,
  bad_request: 400,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  shutting_down: 503,
  disk_full: 507,
  read_only: 503,
  file_unavailable: 500,
  database_corrupt: 500,
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
 * Longest path parameter (a ref), as sent: a sprint name of the longest kind, every character
 * %-escaped (up to 12 characters each). Longer ones are refused (414) before routing.
 */
export const MAX_PARAM_LENGTH = LIMITS.name * 12;

const notJson = () => new ValidationError([{ path: 'body', message: 'the body is not valid JSON' }]);

/**
 * Errors Fastify raises before a handler runs (parsing, routing, limits), by their codes, in
 * pm's terms. Messages are pm's own: Fastify's quote the request, which may be huge.
 */
const FASTIFY_ERRORS: Record<string, (request: FastifyRequest, bodyLimit: number) => PmError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) =>
    new PmError(
      'unsupported_media_type',
      `unsupported Content-Type ${JSON.stringify(String(request.headers['content-type'] ?? '').slice(0, 100))}: send application/json`,
    ),
  FST_ERR_CTP_INVALID_TYPE: () => new PmError('unsupported_media_type', 'the Content-Type is not valid: send application/json'),
  FST_ERR_CTP_EMPTY_TYPE: () => new PmError('unsupported_media_type', 'the Content-Type is empty: send application/json'),
  FST_ERR_CTP_BODY_TOO_LARGE: (_request, bodyLimit) => payloadTooLarge(bodyLimit),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ValidationError([{ path: 'body', message: 'the body is empty: send a JSON object' }]),
  FST_ERR_CTP_INVALID_JSON_BODY: notJson,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new PmError('bad_request', 'the body is not as long as its Content-Length says'),
  FST_ERR_BAD_URL: () => new PmError('bad_request', 'the URL is not valid: a %-escape in its path is malformed'),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    new PmError('uri_too_long', `the URL is too long: a path segment has more than ${MAX_PARAM_LENGTH} characters`),
};

/** What an error of another kind that carries an HTTP status (Fastify's, a plugin's) becomes. */
function byStatus(error: FastifyError, bodyLimit: number): PmError | undefined {
  const status = error.statusCode ?? 500;
  // The JSON parser's errors, prototype poisoning included.
  if (error instanceof SyntaxError && status === 400) return notJson();
  switch (status) {
    case 404:
      return new PmError('not_found', error.message);
    case 408:
      return new PmError('request_timeout', 'the request took too long to arrive');
    case 413:
      return payloadTooLarge(bodyLimit);
    case 414:
      return new PmError('uri_too_long', 'the URL is too long');
    case 415:
      return new PmError('unsupported_media_type', 'unsupported Content-Type: send application/json');
    case 431:
      return new PmError('headers_too_large', 'the request headers are too large');
    case 503:
      return new PmError('shutting_down', 'the server is stopping: try again when it is back');
  }
  return status >= 400 && status < 500 ? new PmError('bad_request', error.message) : undefined;
}

function fromFastify(error: FastifyError, request: FastifyRequest, bodyLimit: number): PmError | undefined {
  const known =
    typeof error.code === 'string' && Object.hasOwn(FASTIFY_ERRORS, error.code) ? FASTIFY_ERRORS[error.code] : undefined;
  return known ? known(request, bodyLimit) : byStatus(error, bodyLimit);
}

/**
 * A request Node's HTTP parser refused before Fastify saw it (headers too large, not HTTP, too
 * slow): answered on the socket in pm's shape, then the connection closes.
 */
export function sendClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new PmError('headers_too_large', 'the request headers are too large (16 KiB at most, the URL included)')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new PmError('request_timeout', 'the request took too long to arrive')
        : new PmError('bad_request', 'the request is not valid HTTP');
  const status = HTTP_STATUS[known.code];
  const body = JSON.stringify(errorBody(known));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
