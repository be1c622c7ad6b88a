import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { RemoteError, ValidationError, redactSecrets } from '../domain/index.js';
import { errorFromResponse } from './errors.js';

export type QueryValue = string | number | boolean | readonly string[] | null | undefined;
export type Query = Record<string, QueryValue>;

export interface HttpClientOptions {
  /** The server, e.g. `http://127.0.0.1:4400` (a path prefix, for a server behind a proxy, is kept). */
  url: string;
  /** A bearer token (`PM_TOKEN`); never printed. */
  token?: string;
  /** Who the requests act for, sent as `X-PM-Actor`. */
  actor?: () => string;
  /** How long a JSON request may take (default 60 s); snapshot transfers take as long as they take. */
  timeoutMs?: number;
}

const API = 'api/v1/';

export function parseServerUrl(url: string, option = '--server'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError([
      { path: option, message: `expected a URL like http://127.0.0.1:4400, got ${JSON.stringify(url)}` },
    ]);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError([{ path: option, message: `expected an http:// or https:// URL, got ${JSON.stringify(url)}` }]);
  }
  if (parsed.username || parsed.password) {
    throw new ValidationError([{ path: option, message: 'put the token in PM_TOKEN, not in the URL' }]);
  }
  parsed.search = '';
  parsed.hash = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

/** JSON, downloads and streamed uploads against one pm server; server errors become PmErrors. */
export class HttpClient {
  readonly base: URL;

  constructor(private readonly options: HttpClientOptions) {
    this.base = parseServerUrl(options.url);
  }

  /** How the server is named in messages: its origin and path, never a token. */
  get server(): string {
    return this.base.href.replace(/\/$/, '');
  }

  url(path: string, query: Query = {}): URL {
    const url = new URL(`${API}${path}`, this.base);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return url;
  }

  async json<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const response = await this.send(this.url(path, options.query), {
      method,
      headers: this.headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Streams a response body to `file`; a broken download leaves no file behind. */
  async download(path: string, file: string, query: Query = {}): Promise<void> {
    const response = await this.send(this.url(path, query), { method: 'GET', headers: this.headers() });
    if (!response.body) throw new RemoteError(`${this.server} sent no body for ${path}`);
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(file));
    } catch (error) {
      rmSync(file, { force: true });
      throw new RemoteError(`the download from ${this.server} broke off: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      });
    }
  }

  /** Streams `file` as a JSON body (never held in memory whole) and returns the JSON answer. */
  async upload<T>(method: string, path: string, file: string, query: Query = {}): Promise<T> {
    const response = await this.send(this.url(path, query), {
      method,
      headers: this.headers({ 'content-type': 'application/json', 'content-length': String(statSync(file).size) }),
      // Node's fetch takes a stream as the body when told it is sent as it is read.
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    });
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** A long-lived GET (server-sent events): the response as it arrives, with no timeout. */
  async events(path: string): Promise<Response> {
    return this.send(this.url(path), { method: 'GET', headers: this.headers({ accept: 'text/event-stream' }) });
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...(this.options.actor ? { 'x-pm-actor': this.options.actor() } : {}),
      ...extra,
    };
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new RemoteError(`the pm server at ${this.server} did not answer in time`, { retryable: true, cause: error });
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RemoteError(
        `cannot reach the pm server at ${this.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        {
          retryable: true,
          cause: error,
        },
      );
    }
    if (response.ok) return response;
    let body: unknown;
    try {
      // A server that echoes the token back never gets it printed.
      body = JSON.parse(redactSecrets(await response.text(), this.options.token ? [this.options.token] : []));
    } catch {
      body = undefined;
    }
    throw errorFromResponse(body, response.status, this.server);
  }
}
