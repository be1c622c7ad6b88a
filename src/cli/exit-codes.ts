import { isPmError, type ErrorCode } from '../domain/index.js';
import type { Output } from './output/output.js';

/** The one place errors become exit codes. Documented in the README. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  validation_failed: 2,
  not_found: 3,
  ambiguous_ref: 3,
  already_exists: 4,
  dependency_cycle: 4,
  parent_cycle: 4,
  cross_project_parent: 4,
  self_reference: 4,
  sprint_dates: 4,
  deleted_reference: 4,
  has_dependents: 4,
  version_conflict: 5,
  timer_running: 5,
  no_timer: 5,
  replace_refused: 5,
  snapshot_not_taken_in: 5,
  locked: 5,
  run_finished: 5,
  not_failed: 5,
  not_ignored: 5,
  batch_taken_over: 5,
  not_initialized: 6,
  config_invalid: 6,
  schema_too_new: 7,
  snapshot_invalid: 7,
  unauthorized: 8,
  forbidden: 8,
  rate_limited: 9,
  payload_too_large: 9,
  unsupported_media_type: 9,
  remote_failed: 9,
  internal: 1,
  host_not_allowed: 8,
  cross_site_request: 8,
  no_connection: 6,
  bad_request: 2,
  uri_too_long: 2,
  headers_too_large: 2,
  request_timeout: 9,
  shutting_down: 9,
  database_corrupt: 7,
  disk_full: 10,
  read_only: 10,
  file_unavailable: 10,
};

export const USAGE_EXIT_CODE = 2;
const MAX_LISTED_ISSUES = 50;

/** Prints an error as one line (plus the list of problems, when there are several) and picks the exit code. */
export function reportError(error: unknown, out: Output, debug: boolean): number {
  if (isPmError(error)) {
    out.note(`${out.c.red('error:')} ${error.message}`);
    const details = error.details as { issues?: { path: string; message: string }[]; more_issues?: boolean } | undefined;
    const issues = details?.issues;
    if (issues && issues.length > 1) {
      for (const issue of issues.slice(0, MAX_LISTED_ISSUES))
        out.note(`  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
      const hidden = issues.length - MAX_LISTED_ISSUES;
      const stopped = details.more_issues ? ', and more after them: pm stopped reading there' : '';
      if (hidden > 0) out.note(`  … and ${hidden} more${stopped}`);
      else if (stopped) out.note(`  …${stopped.slice(1)}`);
    }
    if (debug && error.stack) out.note(error.stack);
    return EXIT_CODES[error.code];
  }
  const message = error instanceof Error ? error.message : String(error);
  out.note(`${out.c.red('error:')} ${message.split('\n')[0]}`);
  if (debug && error instanceof Error && error.stack) out.note(error.stack);
  else out.note(out.c.dim('(run with PM_DEBUG=1 for details)'));
  return EXIT_CODES.internal;
}
