import type { FastifyReply } from 'fastify';

/** A server-sent event stream on a hijacked reply, with the headers every other answer has. */
export interface EventStream {
  /** One event; nothing once the stream is closed. */
  send(event: string, data: unknown, id?: number): void;
  /** A comment line: keeps proxies from closing an idle stream. */
  ping(): void;
  end(): void;
  readonly closed: boolean;
}

export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  return {
    send(event, data, id) {
      if (!closed) raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    ping() {
      if (!closed) raw.write(': ping\n\n');
    },
    end() {
      if (closed) return;
      closed = true;
      raw.end();
    },
    get closed() {
      return closed;
    },
  };
}
