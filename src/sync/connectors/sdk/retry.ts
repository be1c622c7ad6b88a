import { RateLimitedError, RemoteError } from '../../../domain/index.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Told of every wait before a retry (a run's live view shows it). */
  onWait?: (delayMs: number, error: unknown) => void;
  /** Once it aborts (the run is cancelled), a wait ends at once and nothing more is tried. */
  signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8000 };

export function isRetryable(error: unknown): boolean {
  return error instanceof RateLimitedError || (error instanceof RemoteError && error.retryable);
}

/**
 * True when a failed write may still have happened on the remote: it timed out, the
 * connection broke, or the server failed after reading it. A refused connection or a 4xx
 * answer means it did not.
 */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof RateLimitedError || !(error instanceof RemoteError)) return false;
  if (error.status !== undefined) return error.status >= 500;
  // The system error's code, on the error itself or (fetch) on its cause.
  const cause = error.cause as { code?: string; cause?: { code?: string } } | undefined;
  const code = cause?.code ?? cause?.cause?.code;
  return code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN';
}

/** Exponential backoff with full jitter; a rate limit waits at least as long as the server asked. */
export function backoffMs(attempt: number, error: unknown, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return error instanceof RateLimitedError ? Math.max(error.retryAfterMs, jittered) : jittered;
}

export interface Attempted<T> {
  value: T;
  attempts: number;
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not worth retrying, or uses up the
 * attempts. The error of the last attempt is thrown with the number of attempts on it.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  options: {
    signal?: AbortSignal;
    onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<Attempted<T>> {
  const signal = options.signal ?? policy.signal;
  const sleep = options.sleep ?? ((ms: number) => pause(ms, signal));
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), attempts: attempt };
    } catch (error) {
      const given = () => Object.assign(error as Error, { attempts: attempt });
      if (attempt >= policy.attempts || !isRetryable(error) || signal?.aborted) throw given();
      const delay = backoffMs(attempt, error, policy);
      options.onRetry?.(attempt, delay, error);
      policy.onWait?.(delay, error);
      await sleep(delay);
      if (signal?.aborted) throw given();
    }
  }
}

/** Waits `ms`, or less if the signal aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function attemptsOf(error: unknown): number {
  return (error as { attempts?: number } | null)?.attempts ?? 1;
}
