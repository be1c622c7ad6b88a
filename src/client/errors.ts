import {
  AlreadyExistsError,
  AmbiguousRefError,
  AuthError,
  ConfigError,
  ERROR_CODES,
  InvariantError,
  NotFoundError,
  PmError,
  RateLimitedError,
  RemoteError,
  SchemaVersionError,
  SnapshotError,
  StateError,
  ValidationError,
  VersionConflictError,
  type ErrorCode,
  type ErrorIssue,
} from '../domain/index.js';

/** An error as a pm server sends it (see DESIGN.md §7). */
interface WireError {
  code: ErrorCode;
  message: string;
  field?: string;
  details?: unknown;
}

function isWireError(value: unknown): value is WireError {
  const e = value as Partial<WireError> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.message === 'string' &&
    typeof e.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(e.code)
  );
}

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
const issuesOf = (value: unknown): ErrorIssue[] => (Array.isArray(value) ? (value as ErrorIssue[]) : []);

/** The error class the server threw, rebuilt from what it sent. */
function rebuild(e: WireError, status: number): PmError {
  const d = (typeof e.details === 'object' && e.details !== null ? e.details : {}) as Record<string, unknown>;
  switch (e.code) {
    case 'not_found':
      return new NotFoundError(text(d.what, 'record'), text(d.ref));
    case 'ambiguous_ref':
      return new AmbiguousRefError(
        text(d.what, 'record'),
        text(d.ref),
        Array.isArray(d.candidates) ? d.candidates.map(String) : [],
      );
    case 'already_exists':
      return new AlreadyExistsError(e.message, e.field);
    case 'validation_failed': {
      const issues = issuesOf(d.issues);
      return new ValidationError(issues.length ? issues : [{ path: e.field ?? '', message: e.message }], e.message);
    }
    case 'dependency_cycle':
    case 'parent_cycle':
    case 'cross_project_parent':
    case 'self_reference':
    case 'sprint_dates':
    case 'deleted_reference':
      return new InvariantError(e.code, e.message, e.field);
    case 'version_conflict':
      return new VersionConflictError('record', count(d.expected), (d.current ?? { version: 0 }) as { version: number });
    case 'timer_running':
    case 'no_timer':
    case 'replace_refused':
    case 'snapshot_not_taken_in':
    case 'locked':
    case 'has_dependents':
      return new StateError(e.code, e.message, e.details);
    case 'not_initialized':
    case 'config_invalid':
      return new ConfigError(e.code, e.message);
    case 'schema_too_new':
      return new SchemaVersionError('data', count(d.found), count(d.supported));
    case 'snapshot_invalid':
      return new SnapshotError(text(d.file, 'snapshot'), issuesOf(d.issues));
    case 'unauthorized':
    case 'forbidden':
      return new AuthError(e.code, e.message);
    case 'rate_limited':
      return new RateLimitedError(e.message, count(d.retry_after_ms));
    case 'remote_failed':
      return new RemoteError(e.message, { status });
    default:
      return new PmError(e.code, e.message, { ...(e.field !== undefined ? { field: e.field } : {}), details: e.details });
  }
}

/**
 * The PmError a server's error answer stands for, with the server's exact message, so the CLI
 * prints the same words and exits with the same code as it would on a local database.
 */
export function errorFromResponse(body: unknown, status: number, server: string): PmError {
  const wire = (body as { error?: unknown } | null)?.error;
  if (!isWireError(wire)) {
    return new RemoteError(`${server} answered ${status} without a pm error: is it a pm server?`, {
      status,
      retryable: status >= 500,
    });
  }
  const error = rebuild(wire, status);
  error.message = wire.message;
  return error;
}
