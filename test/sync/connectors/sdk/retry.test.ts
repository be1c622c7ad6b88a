import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError, RemoteError } from '../../../../src/domain/index.js';
import { retryAfterMs } from '../../../../src/sync/connectors/sdk/http.js';
import {
  attemptsOf,
  backoffMs,
  isAmbiguous,
  isRetryable,
  withRetry,
  type RetryPolicy,
} from '../../../../src/sync/connectors/sdk/retry.js';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

/** The errors src/sync/connectors/sdk/http.ts makes. */
const httpError = (status = 503) =>
  new RemoteError(`GET /issues.json: ${status}`, { status, retryable: status >= 500 || status === 408 });
const clientError = (status = 422) => new RemoteError(`PUT /issues/1.json: ${status}`, { status, retryable: false });
/**
 * What a failed connection throws: node:http the system error itself, fetch a TypeError whose
 * cause carries it.
 */
function networkError(code: string, via: 'request' | 'fetch' = 'request'): RemoteError {
  const system = Object.assign(new Error(`connect ${code} 127.0.0.1:3000`), { code });
  const cause = via === 'fetch' ? new TypeError('fetch failed', { cause: system }) : system;
  return new RemoteError(`POST /issues.json: ${code}`, { retryable: true, cause });
}
function timeoutError(): RemoteError {
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  return new RemoteError('POST /issues.json: no answer within 15000 ms', { retryable: true, cause: timeout });
}

/** A function failing with these errors in turn, then answering `value`. */
function failing<T>(errors: unknown[], value: T) {
  return vi.fn(async () => {
    await Promise.resolve();
    const error = errors.shift();
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- non-Error throws are a case under test
    if (error !== undefined) throw error;
    return value;
  });
}

/** A sleep that returns at once, writing down how long it was asked to wait. */
function recordSleep(slept: number[] = []) {
  return vi.fn((ms: number) => {
    slept.push(ms);
    return Promise.resolve();
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('withRetry', () => {
  it('answers at once when the first attempt succeeds', async () => {
    const sleep = recordSleep();
    const fn = failing([], 'ok');
    await expect(withRetry(fn, policy, { sleep })).resolves.toEqual({ value: 'ok', attempts: 1 });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('retries a retryable error and reports the attempts it took', async () => {
    const sleep = recordSleep();
    const fn = failing([httpError(), networkError('ECONNRESET')], 'ok');
    await expect(withRetry(fn, policy, { sleep })).resolves.toEqual({ value: 'ok', attempts: 3 });
    expect(fn).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a 4xx RemoteError', clientError()],
    ['a plain Error', new Error('bug')],
    ['a non-error value', 'boom'],
  ])('stops at once on %s', async (_name, error) => {
    const sleep = recordSleep();
    const onRetry = vi.fn();
    const fn = failing([error], 'ok');
    const thrown = await rejection(withRetry(fn, policy, { sleep, onRetry }));
    expect(fn).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
    expect(onRetry).not.toHaveBeenCalled();
    if (typeof error === 'object') expect(thrown).toBe(error);
    expect(attemptsOf(thrown)).toBe(1);
  });

  it('gives up after `attempts` tries and throws the last error with the attempts on it', async () => {
    const errors = [httpError(500), httpError(502), httpError(503), httpError(504), httpError(500)];
    const last = errors[3];
    const sleep = recordSleep();
    const fn = failing([...errors], 'never');
    const thrown = await rejection(withRetry(fn, policy, { sleep }));
    expect(fn).toHaveBeenCalledTimes(4);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(thrown).toBe(last);
    expect(attemptsOf(thrown)).toBe(4);
  });

  it('tries once when the policy allows one attempt', async () => {
    const fn = failing([httpError()], 'ok');
    const thrown = await rejection(withRetry(fn, { ...policy, attempts: 1 }, { sleep: recordSleep() }));
    expect(fn).toHaveBeenCalledTimes(1);
    expect(attemptsOf(thrown)).toBe(1);
  });

  it('stops retrying once its signal is aborted, also during a wait', async () => {
    const controller = new AbortController();
    const fn = failing([httpError(), httpError()], 'ok');
    const sleep = vi.fn(() => {
      controller.abort();
      return Promise.resolve();
    });
    const thrown = await rejection(withRetry(fn, policy, { sleep, signal: controller.signal }));
    expect(fn).toHaveBeenCalledTimes(1);
    expect(attemptsOf(thrown)).toBe(1);
  });

  it("a wait as long as the remote asked (an hour) ends when the policy's signal aborts", async () => {
    const controller = new AbortController();
    const limited = new RateLimitedError('GET /issues.json: rate limited (429)', 3_600_000);
    const fn = failing([limited], 'ok');
    let onWait: () => void = () => undefined;
    const waited = new Promise<void>((resolve) => (onWait = resolve));
    const run = rejection(withRetry(fn, { ...policy, signal: controller.signal, onWait: () => onWait() }));
    await waited;
    controller.abort();
    expect(await run).toBe(limited);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('calls onRetry before each wait, with the attempt and growing delays it then sleeps', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const slept: number[] = [];
    const onRetry = vi.fn();
    const errors = [httpError(), httpError(), httpError()];
    const fn = failing([...errors], 'ok');
    await withRetry(fn, policy, { onRetry, sleep: recordSleep(slept) });
    // 100, 200, 400 ms before jitter; half of each plus half of the jitter range
    expect(onRetry.mock.calls).toEqual([
      [1, 75, errors[0]],
      [2, 150, errors[1]],
      [3, 300, errors[2]],
    ]);
    expect(slept).toEqual([75, 150, 300]);
  });

  it('delays grow from one retry to the next whatever the jitter', async () => {
    const delays: number[] = [];
    const fn = failing([httpError(), httpError(), httpError()], 'ok');
    await withRetry(fn, policy, { onRetry: (_a, ms) => delays.push(ms), sleep: recordSleep() });
    expect(delays).toHaveLength(3);
    expect(delays[0]!).toBeLessThan(delays[1]!);
    expect(delays[1]!).toBeLessThan(delays[2]!);
  });

  it('waits at least as long as a rate limit asks', async () => {
    const slept: number[] = [];
    const fn = failing([new RateLimitedError('GET /issues.json: rate limited (429)', 5000)], 'ok');
    const result = await withRetry(fn, policy, { sleep: recordSleep(slept) });
    expect(result.attempts).toBe(2);
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(5000);
  });
});

describe('backoffMs', () => {
  const err = httpError();

  it('doubles from the base delay, jittered between half and all of it', () => {
    expect(backoffMs(1, err, policy, () => 0)).toBe(50);
    expect(backoffMs(1, err, policy, () => 0.999999)).toBeCloseTo(100, 3);
    expect(backoffMs(2, err, policy, () => 0)).toBe(100);
    expect(backoffMs(3, err, policy, () => 0)).toBe(200);
    expect(backoffMs(3, err, policy, () => 0.5)).toBe(300);
  });

  it('never goes past the maximum delay', () => {
    expect(backoffMs(10, err, policy, () => 0.999999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(10, err, policy, () => 0)).toBe(500);
  });

  it('waits for Retry-After on a rate limit, even past the maximum delay', () => {
    expect(backoffMs(1, new RateLimitedError('429', 3000), policy, () => 0.5)).toBe(3000);
  });

  it('keeps its own backoff when a rate limit asks for less', () => {
    expect(backoffMs(3, new RateLimitedError('429', 10), policy, () => 0.5)).toBe(300);
  });
});

describe('isRetryable', () => {
  it('retries 5xx, network failures and rate limits but not 4xx or other errors', () => {
    expect(isRetryable(httpError(500))).toBe(true);
    expect(isRetryable(networkError('ECONNREFUSED'))).toBe(true);
    expect(isRetryable(new RateLimitedError('429', 1000))).toBe(true);
    expect(isRetryable(clientError(404))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
  });
});

describe('isAmbiguous', () => {
  it.each([400, 404, 408, 422])('is false for a %i answer: the server refused the write', (status) => {
    expect(isAmbiguous(httpError(status))).toBe(false);
  });

  it('is false for a 429: the server did not take the write', () => {
    expect(isAmbiguous(new RateLimitedError('POST /issues.json: rate limited (429)', 1000))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])('is false when the connection was never made (%s)', (code) => {
    expect(isAmbiguous(networkError(code))).toBe(false);
    expect(isAmbiguous(networkError(code, 'fetch'))).toBe(false);
  });

  it.each([500, 502, 503, 504])('is true for a %i answer: the server may have done it', (status) => {
    expect(isAmbiguous(httpError(status))).toBe(true);
  });

  it('is true for a timeout', () => {
    expect(isAmbiguous(timeoutError())).toBe(true);
  });

  it.each(['ECONNRESET', 'UND_ERR_SOCKET'])('is true when the connection broke mid-request (%s)', (code) => {
    expect(isAmbiguous(networkError(code))).toBe(true);
    expect(isAmbiguous(networkError(code, 'fetch'))).toBe(true);
  });

  it('is false for errors that are not remote failures', () => {
    expect(isAmbiguous(new Error('bug'))).toBe(false);
    expect(isAmbiguous(undefined)).toBe(false);
  });
});

describe('attemptsOf', () => {
  it('is 1 for an error that carries no attempts', () => {
    expect(attemptsOf(new Error('x'))).toBe(1);
    expect(attemptsOf(null)).toBe(1);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-21T10:00:00.000Z');

  it('reads seconds', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1500);
  });

  it('never waits a negative time', () => {
    expect(retryAfterMs('-5', now)).toBe(0);
    expect(retryAfterMs(new Date(now - 60_000).toUTCString(), now)).toBe(0);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(retryAfterMs('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
  });

  it('falls back to one second when the header is absent or unreadable', () => {
    expect(retryAfterMs(null, now)).toBe(1000);
    expect(retryAfterMs('soon', now)).toBe(1000);
  });

  // Number('') is 0: an empty header must not read as "retry now".
  it('falls back to one second for an empty header', () => {
    expect(retryAfterMs('', now)).toBe(1000);
    expect(retryAfterMs('  ', now)).toBe(1000);
  });
});
