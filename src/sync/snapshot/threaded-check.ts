import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { EntityType, ErrorIssue } from '../../domain/index.js';
import type { SnapshotEvent } from './reader.js';

/** From this size on, an import that fills empty tables checks records on a second thread. */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

export interface CheckRequest {
  path: string;
  label: string;
  /** Tables the import fills from empty: their records come back checked and encoded as rows. */
  fresh: EntityType[];
  /** [messages sent, messages handled]: the worker waits when it is too far ahead. */
  window: SharedArrayBuffer;
}

/**
 * A record the worker found invalid on its own: `[-1, index, line, id or null, issues]`. A
 * valid one is its row as `toValues` encodes it, the two stamp columns holding its index and
 * line until the store sets them (a row starts with its id, a string).
 */
export type CheckedEntry = unknown[];

/** What the worker sends, in the file's order. */
export type CheckMessage =
  /** Everything but the records of fresh tables, as the reader gave it. */
  | { kind: 'events'; events: SnapshotEvent[] }
  /** A JSON array of `CheckedEntry`; `canonicalLines` when each line was in canonical form. */
  | { kind: 'rows'; type: EntityType; rows: string; canonicalLines: boolean }
  | { kind: 'progress'; bytesRead: number; size: number }
  /** The end of the file: the sha256 of its bytes. */
  | { kind: 'done'; hash: string };

export function isRejected(entry: CheckedEntry): entry is [-1, number, number, string | null, ErrorIssue[]] {
  return entry[0] === -1;
}

/** Messages the worker may send before it waits for the main thread to handle them. */
export const WINDOW = 8;

/**
 * The worker's script: the bundle's own file next to pm's, or under the sources (tests, tsx)
 * the TypeScript file, loaded through tsx. Undefined when neither is there.
 */
function workerScript(): URL | undefined {
  if (import.meta.url.endsWith('.ts')) return new URL('./check-worker.ts', import.meta.url);
  // The bundle puts this module either beside pm.js or in its chunks folder.
  for (const candidate of ['./check-worker.js', '../check-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(url)) return url;
  }
  return undefined;
}

export function canCheckInWorker(): boolean {
  return workerScript() !== undefined;
}

async function startWorker(request: CheckRequest): Promise<Worker> {
  const { Worker } = await import('node:worker_threads');
  const script = workerScript();
  if (!script) throw new Error('the import worker script is missing from this installation of pm');
  if (!script.pathname.endsWith('.ts')) return new Worker(script, { workerData: request });
  const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(load, { eval: true, workerData: request });
}

/**
 * Reads and checks a snapshot file on a worker thread, yielding its messages in order. The
 * worker stays at most `WINDOW` messages ahead, so memory stays flat however large the file.
 */
export async function* checkInWorker(request: Omit<CheckRequest, 'window'>): AsyncGenerator<CheckMessage> {
  const window = new SharedArrayBuffer(8);
  const handled = new Int32Array(window);
  const worker = await startWorker({ ...request, window });
  const queue: CheckMessage[] = [];
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: CheckMessage) => {
    queue.push(message);
    notify();
  });
  worker.on('error', (error) => {
    failure = error;
    notify();
  });
  worker.on('exit', (code) => {
    if (code !== 0) failure ??= new Error(`the import worker stopped with exit code ${code}`);
    ended = true;
    notify();
  });
  try {
    for (;;) {
      const message = queue.shift();
      if (message) {
        yield message;
        Atomics.add(handled, 1, 1);
        Atomics.notify(handled, 1);
        if (message.kind === 'done') return;
        continue;
      }
      if (failure) throw failure;
      if (ended) throw new Error('the import worker stopped before the end of the file');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // A worker waiting for room wakes up, so that it can be stopped.
    Atomics.store(handled, 1, 1 << 30);
    Atomics.notify(handled, 1);
    await worker.terminate();
  }
}
