import { headers, needsLogin } from './api.js';

export interface StreamOptions {
  /** Called with each event's name, its parsed data and its id. */
  onEvent(event: string, data: unknown, id: string | undefined): void;
  onOpen?(): void;
  /** The stream broke (it is retried unless `retry` says no). */
  onDrop?(error: unknown): void;
  /** Whether to connect again after the stream ended or broke (default: always). */
  retry?: () => boolean;
}

/**
 * Server-sent events over fetch, not EventSource, so the request carries the bearer token in
 * a header (never in the URL, where logs would keep it). Reconnects with Last-Event-ID, backing
 * off up to 5 s, until `stop()`.
 */
export function openStream(path: string, options: StreamOptions): { stop(): void } {
  const abort = new AbortController();
  let lastId: string | undefined;
  let delay = 250;
  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`/api/v1${path}`, {
          headers: headers({ accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }),
          signal: abort.signal,
        });
        if (response.status === 401) {
          needsLogin.value = true;
          return;
        }
        if (!response.ok || !response.body) throw new Error(`${response.status}`);
        options.onOpen?.();
        delay = 250;
        await read(response.body, (event, data, id) => {
          if (id !== undefined) lastId = id;
          options.onEvent(event, data, id);
        });
        if (options.retry && !options.retry()) return;
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onDrop?.(error);
        if (options.retry && !options.retry()) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  };
  void run();
  return { stop: () => abort.abort() };
}

async function read(body: ReadableStream<Uint8Array>, emit: (event: string, data: unknown, id: string | undefined) => void) {
  const reader = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      let id: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
      }
      if (data) emit(event, JSON.parse(data), id);
    }
  }
}
