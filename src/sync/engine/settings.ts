/** How far back an incremental pull looks before its cursor: the remote's clock is coarse. */
export const CURSOR_OVERLAP_MS = 10_000;
/** Failures in a row that make a run stop calling the remote (it is down, not one bad record). */
export const BREAKER_THRESHOLD = 5;
