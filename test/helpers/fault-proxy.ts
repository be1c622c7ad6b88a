import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll } from 'vitest';

/**
 * A proxy in front of the real Redmine that can misbehave on cue: answer with a status (429
 * with Retry-After, 500), answer after forwarding (the write happened, the client hears a
 * failure), hang, slow down, send malformed JSON, or go down altogether and come back.
 */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'fail-after-forward'; status: number }
  | { kind: 'hang-after-forward' }
  | { kind: 'delay'; ms: number }
  | { kind: 'garbage' };

export interface FaultRule {
  method?: string;
  /** Matches the path (query included). */
  path?: RegExp;
  fault: Fault;
  /** How many requests it applies to (default 1); Infinity for all. */
  times?: number;
}

export interface Logged {
  method: string;
  path: string;
  at: number;
  status: number | 'hung' | 'garbage';
}

const proxies: FaultProxy[] = [];
afterAll(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

export class FaultProxy {
  readonly log: Logged[] = [];
  private rules: (FaultRule & { left: number })[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private port = 0;
  /** Called after each request is answered (e.g. to go down after the n-th create). */
  onRequest: ((entry: Logged) => void) | undefined;

  private constructor(private readonly target: URL) {}

  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(target));
    await proxy.up();
    proxies.push(proxy);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  requests(method: string, path: RegExp): Logged[] {
    return this.log.filter((l) => l.method === method && path.test(l.path));
  }

  /** Listens (again, on the same port): the server is back. */
  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection: to a client, the server is gone. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.down();
  }

  private take(req: IncomingMessage): Fault | undefined {
    const rule = this.rules.find(
      (r) => r.left > 0 && (!r.method || r.method === req.method) && (!r.path || r.path.test(req.url ?? '')),
    );
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The server's headers as they are: Node would add a Date header that Redmine's puma never sends.
    res.sendDate = false;
    const entry: Logged = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now(), status: 0 };
    const body = await readBody(req);
    const fault = this.take(req);
    const done = (status: Logged['status']) => {
      entry.status = status;
      this.log.push(entry);
      this.onRequest?.(entry);
    };
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return done(fault.status);
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const answer = await this.forward(req, body).catch(() => undefined);
    if (!answer) {
      res.writeHead(502).end();
      return done(502);
    }
    if (fault?.kind === 'fail-after-forward') {
      res.writeHead(fault.status, { 'Content-Type': 'application/json' }).end('{"status":500,"error":"InternalServerError"}');
      return done(fault.status);
    }
    if (fault?.kind === 'hang-after-forward') return done('hung'); // never answers; the client times out
    if (fault?.kind === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"issues": [ {"id": 1, "subj');
      return done('garbage');
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
    done(answer.status);
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.target.host };
      const upstream = httpRequest(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers },
        (response) => {
          void readBody(response).then((data) => {
            const out: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(response.headers))
              if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
            out['content-length'] = String(data.length);
            resolve({ status: response.statusCode ?? 502, headers: out, body: data });
          }, reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
