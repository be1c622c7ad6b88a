import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll } from 'vitest';
import type { ApiSpec, Operation } from '../openapi.js';

/**
 * An HTTP server that speaks an API as its specification says, for services that cannot run
 * here. Every request is matched to an operation of the pinned specification and checked (path,
 * query, body); every answer is checked before it leaves. A request the specification does not
 * allow is answered 400; an answer it does not allow (the fake drifting from the spec) is
 * answered 500 instead. Both are recorded in `violations`, which tests expect to stay empty.
 */

export interface FakeRequest {
  method: string;
  url: URL;
  op: Operation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface SpecFakeOptions {
  /** The specifications the API is published in (one per area of the API). */
  specs: readonly ApiSpec[];
  /** Handlers by `METHOD template` of the specification. */
  handlers: Record<string, Handler>;
  /** True when the Authorization header is the service's. */
  authorized: (header: string | undefined) => boolean;
  /** The service's error body, for refusals the fake makes itself (400, 401, 404). */
  error: (status: number, message: string) => unknown;
  /** Statuses the service answers any operation with that the specification leaves out (e.g. 401). */
  undocumented?: { statuses: readonly number[]; check: (body: unknown) => string[] };
  /** Extra headers on every answer (e.g. Date). */
  headers?: () => Record<string, string>;
}

export interface Exchange {
  method: string;
  path: string;
  status: number;
}

/** A service's clock: each stamp (ms) later than the last, as a database's updates are. */
export class FakeClock {
  private last = 0;

  now(): string {
    this.last = Math.max(Date.now(), this.last + 1);
    return new Date(this.last).toISOString();
  }
}

const running: SpecFake[] = [];
afterAll(async () => {
  for (const fake of running.splice(0)) await fake.close();
});

export class SpecFake {
  readonly violations: string[] = [];
  readonly log: Exchange[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: SpecFakeOptions) {}

  /** The operations the fake serves, against those the specification pins, as `METHOD template`. */
  coverage(): { served: string[]; pinned: string[] } {
    return {
      served: Object.keys(this.options.handlers).sort(),
      pinned: this.options.specs.flatMap((s) => s.operationKeys).sort(),
    };
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    running.push(this);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = req.method ?? 'GET';
    const text = await readText(req);
    const answer = await this.answer(method, url, req.headers, text).catch((error: unknown): FakeAnswer => {
      this.violations.push(`${method} ${url.pathname}: the fake failed: ${(error as Error).stack ?? String(error)}`);
      return { status: 500, body: this.options.error(500, 'the fake failed') };
    });
    this.log.push({ method, path: `${url.pathname}${url.search}`, status: answer.status });
    const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...this.options.headers?.(),
      ...answer.headers,
    });
    res.end(payload);
  }

  private async answer(method: string, url: URL, headers: IncomingMessage['headers'], text: string): Promise<FakeAnswer> {
    const { specs, error } = this.options;
    const where = `${method} ${url.pathname}`;
    const spec = specs.find((s) => s.match(method, url.pathname));
    const op = spec?.match(method, url.pathname);
    if (!spec || !op) {
      this.violations.push(`${where}: no such operation in ${specs.map((s) => s.name).join(' or ')}`);
      return { status: 404, body: error(404, `${where} is not an operation of this API`) };
    }
    if (!this.options.authorized(headers.authorization))
      return this.checked(spec, op, where, { status: 401, body: error(401, 'unauthorized') });
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        this.violations.push(`${where}: the body is not JSON`);
        return { status: 400, body: error(400, 'the body is not JSON') };
      }
    }
    const problems = spec.checkRequest(op, { query: url.searchParams, contentType: headers['content-type'], body });
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${where}: request: ${p}`));
      return { status: 400, body: error(400, problems.join('; ')) };
    }
    const handler = this.options.handlers[`${method} ${op.template}`];
    if (!handler) {
      this.violations.push(`${where}: the fake has no handler for ${method} ${op.template}`);
      return { status: 501, body: error(501, 'not implemented by the fake') };
    }
    const answer = await handler({ method, url, op, params: op.params, query: url.searchParams, body });
    return this.checked(spec, op, where, answer);
  }

  /** The answer if the specification allows it; else the drift is recorded and answered as a 500. */
  private checked(spec: ApiSpec, op: Operation, where: string, answer: FakeAnswer): FakeAnswer {
    const undocumented = this.options.undocumented;
    let problems = spec.checkResponse(op, answer.status, answer.body);
    if (problems.length > 0 && undocumented?.statuses.includes(answer.status) && /is not a documented answer/.test(problems[0]!))
      problems = undocumented.check(answer.body);
    if (problems.length === 0) return answer;
    this.violations.push(...problems.map((p) => `${where}: response: ${p}`));
    return { status: 500, body: this.options.error(500, `the fake's answer breaks the specification: ${problems.join('; ')}`) };
  }
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** A fake service: its spec-checked server, its clock, started and closed as one. */
export class FakeService {
  url = '';
  protected readonly clock = new FakeClock();
  private server: SpecFake | undefined;

  /** Called once by the fake's constructor, with the handlers that serve its state. */
  protected serve(options: SpecFakeOptions): void {
    this.server = new SpecFake(options);
  }

  private get served(): SpecFake {
    if (!this.server) throw new Error('the fake did not say what it serves');
    return this.server;
  }

  get violations(): string[] {
    return this.served.violations;
  }

  get log(): Exchange[] {
    return this.served.log;
  }

  coverage() {
    return this.served.coverage();
  }

  async start(): Promise<this> {
    this.url = await this.served.start();
    return this;
  }

  close(): Promise<void> {
    return this.served.close();
  }

  protected now(): string {
    return this.clock.now();
  }
}
