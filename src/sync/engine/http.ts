import { RateLimitedError, RemoteError } from '../../domain/index.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** Statuses that are answers, not errors (e.g. 404 when asking whether a record exists). */
  accept?: readonly number[];
}

export interface HttpResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface HttpClientOptions {
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Awaited before every request (a rate limiter). */
  beforeRequest?: () => Promise<void>;
  /** Reads (GET) are retried under this policy; writes are retried by the engine, which knows whether that is safe. */
  retry?: RetryPolicy;
}

/**
 * JSON over HTTP for connectors. Failures become errors the engine can act on: timeouts,
 * refused connections, 5xx and malformed bodies are retryable `RemoteError`s, 429 is a
 * `RateLimitedError` carrying Retry-After, other 4xx are final. Credentials never appear in
 * messages (they travel in headers, and URLs are printed without their query).
 */
export class HttpClient {
  constructor(private readonly options: HttpClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const { retry } = this.options;
    if (req.method === 'GET' && retry) return (await withRetry(() => this.once(req), retry)).value;
    return this.once(req);
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const url = this.options.baseUrl.replace(/\/+$/, '') + req.path;
    const where = `${req.method} ${req.path.split('?')[0]}`;
    let response: Response;
    await this.options.beforeRequest?.();
    try {
      response = await fetch(url, {
        method: req.method,
        headers: { ...this.options.headers, ...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new RemoteError(`${where}: ${reason}`, { retryable: true, cause: error });
    }
    const text = await response.text().catch(() => '');
    if (response.status === 429) {
      throw new RateLimitedError(`${where}: rate limited (429)`, retryAfterMs(response.headers.get('retry-after')));
    }
    const accepted = req.accept?.includes(response.status) ?? false;
    if (!response.ok && !accepted) {
      throw new RemoteError(`${where}: ${response.status}${describeBody(text)}`, {
        status: response.status,
        retryable: response.status >= 500 || response.status === 408,
      });
    }
    let body: unknown = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        // An accepted error status may come without JSON; a success must be JSON.
        if (response.ok)
          throw new RemoteError(`${where}: the answer is not JSON (${text.slice(0, 60).replace(/\s+/g, ' ')}…)`, {
            status: response.status,
            retryable: true,
          });
      }
    }
    return { status: response.status, body, headers: response.headers };
  }
}

/** Redmine-style `{"errors": […]}` as one line, or '' when the body says nothing readable. */
export function errorsOf(body: unknown): string {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors.map(String).join('; ') : '';
}

function describeBody(text: string): string {
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) return `: ${parsed.errors.join('; ')}`;
  } catch {
    // not JSON: say nothing more
  }
  return '';
}

/** Retry-After as seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === '') return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}
