/**
 * The one error hierarchy of pm. Every error a user can meet carries a stable `code`;
 * the CLI maps codes to exit codes and the server to HTTP statuses, each in one place.
 */

export const ERROR_CODES = [
  'not_found',
  'ambiguous_ref',
  'already_exists',
  'validation_failed',
  'dependency_cycle',
  'parent_cycle',
  'cross_project_parent',
  'self_reference',
  'sprint_dates',
  'deleted_reference',
  'has_dependents',
  'version_conflict',
  'timer_running',
  'no_timer',
  'not_initialized',
  'config_invalid',
  'schema_too_new',
  'snapshot_invalid',
  'replace_refused',
  'snapshot_not_taken_in',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  'remote_failed',
  'locked',
  'run_finished',
  'not_failed',
  'not_ignored',
  'batch_taken_over',
  'internal',
  'host_not_allowed',
  'cross_site_request',
  'no_connection',
  'bad_request',
  'uri_too_long',
  'headers_too_large',
  'request_timeout',
  'shutting_down',
  'disk_full',
  'read_only',
  'file_unavailable',
  'database_corrupt',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorIssue {
  /** Where the problem is, e.g. `work_items[12].parent_id` or `title`. */
  path: string;
  message: string;
  /** For records read from a file: which record, where. */
  entity_type?: string;
  index?: number;
  id?: string;
  field?: string;
  line?: number;
}

export class PmError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { field?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}

export class NotFoundError extends PmError {
  constructor(what: string, ref: string) {
    super('not_found', `${what} ${JSON.stringify(ref)} not found`, { details: { what, ref } });
  }
}

export class AmbiguousRefError extends PmError {
  constructor(what: string, ref: string, candidates: readonly string[]) {
    super(
      'ambiguous_ref',
      `${what} ${JSON.stringify(ref)} is ambiguous: it matches ${candidates.slice(0, 5).join(', ')}${candidates.length > 5 ? ', …' : ''}`,
      { details: { what, ref, candidates } },
    );
  }
}

export class AlreadyExistsError extends PmError {
  constructor(message: string, field?: string) {
    super('already_exists', message, field === undefined ? {} : { field });
  }
}

export class ValidationError extends PmError {
  readonly issues: readonly ErrorIssue[];

  constructor(issues: readonly ErrorIssue[], summary?: string) {
    const first = issues[0];
    const message =
      summary ??
      (first === undefined
        ? 'invalid input'
        : `${first.path ? `${first.path}: ` : ''}${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
    super('validation_failed', message, { details: { issues }, ...(first?.path ? { field: first.path } : {}) });
    this.issues = issues;
  }
}

/** A write that would break one of the data model's invariants. */
export class InvariantError extends PmError {
  constructor(
    code: 'dependency_cycle' | 'parent_cycle' | 'cross_project_parent' | 'self_reference' | 'sprint_dates' | 'deleted_reference',
    message: string,
    field?: string,
  ) {
    super(code, message, field === undefined ? {} : { field });
  }
}

export class VersionConflictError extends PmError {
  readonly current: unknown;

  constructor(what: string, expected: number, current: { version: number }) {
    super('version_conflict', `${what} is at version ${current.version}, not ${expected}: reload and try again`, {
      field: 'version',
      details: { expected, current },
    });
    this.current = current;
  }
}

export class StateError extends PmError {
  constructor(
    code:
      | 'timer_running'
      | 'no_timer'
      | 'replace_refused'
      | 'snapshot_not_taken_in'
      | 'locked'
      | 'has_dependents'
      | 'run_finished'
      | 'not_failed'
      | 'not_ignored'
      | 'batch_taken_over',
    message: string,
    details?: unknown,
  ) {
    super(code, message, { details });
  }
}

export class ConfigError extends PmError {
  constructor(code: 'not_initialized' | 'config_invalid', message: string) {
    super(code, message);
  }
}

export class SchemaVersionError extends PmError {
  constructor(what: string, found: number, supported: number) {
    super(
      'schema_too_new',
      `${what} has schema version ${found}, but this pm supports up to ${supported}: upgrade pm to a version that supports schema ${found}`,
      { details: { found, supported } },
    );
  }
}

/**
 * A snapshot file that cannot be imported; `issues` names every bad record, or, with `more`,
 * the first of them: reading stopped there (`details.more_issues`).
 */
export class SnapshotError extends PmError {
  readonly issues: readonly ErrorIssue[];

  constructor(file: string, issues: readonly ErrorIssue[], options: { more?: boolean } = {}) {
    const first = issues[0];
    const count = `${options.more ? 'more than ' : ''}${issues.length} problem${issues.length === 1 && !options.more ? '' : 's'}`;
    super(
      'snapshot_invalid',
      `${file}: ${count}${options.more ? ' (reading stopped there)' : ''}${first ? `; first: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
      { details: { file, issues, ...(options.more ? { more_issues: true } : {}) } },
    );
    this.issues = issues;
  }
}

export class AuthError extends PmError {
  constructor(code: 'unauthorized' | 'forbidden', message: string) {
    super(code, message);
  }
}

export class RateLimitedError extends PmError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super('rate_limited', message, { details: { retry_after_ms: retryAfterMs } });
    this.retryAfterMs = retryAfterMs;
  }
}

export class RemoteError extends PmError {
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: { status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super('remote_failed', message, { cause: options.cause, details: { status: options.status } });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A file pm could not write or read, named in the message and in `details.path`: a full disk,
 * a read-only folder, a path that does not exist, a damaged database.
 */
export class StorageError extends PmError {
  readonly path: string;

  constructor(
    code: 'disk_full' | 'read_only' | 'file_unavailable' | 'database_corrupt',
    message: string,
    path: string,
    cause?: unknown,
  ) {
    super(code, message, { details: { path }, cause });
    this.path = path;
  }
}

export function isPmError(error: unknown): error is PmError {
  return error instanceof PmError;
}
