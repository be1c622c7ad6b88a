import { createHash } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { EntityType } from '../../domain/index.js';
import { toValues } from '../../store/index.js';
import { readSnapshot, type SnapshotEvent } from './reader.js';
import { WINDOW, type CheckMessage, type CheckRequest, type CheckedEntry } from './threaded-check.js';
import { Validator, canonicalLine } from './validator.js';

const BATCH = 500;

/**
 * The second thread of a large import: reads the file, hashes it, and checks each record of a
 * fresh table on its own (JSON, schema, upgrade), sending it back encoded as a row; the main
 * thread checks records across each other and writes. Everything else is passed on as read.
 */
function check(request: CheckRequest, post: (message: CheckMessage) => void): void {
  const window = new Int32Array(request.window);
  const send = (message: CheckMessage) => {
    post(message);
    const sent = Atomics.add(window, 0, 1) + 1;
    for (let handled = Atomics.load(window, 1); sent - handled > WINDOW; handled = Atomics.load(window, 1))
      Atomics.wait(window, 1, handled);
  };
  const fresh = new Set(request.fresh);
  // Each record's problems go to the main thread as they are found, which counts them.
  const validator = new Validator(request.label, Infinity);
  let hash = createHash('sha256');
  let events: SnapshotEvent[] = [];
  let rows: CheckedEntry[] = [];
  let rowsType: EntityType | undefined;
  let canonicalLines = true;
  const sendRows = () => {
    if (rows.length === 0) return;
    send({ kind: 'rows', type: rowsType!, rows: JSON.stringify(rows), canonicalLines });
    rows = [];
    canonicalLines = true;
  };
  const sendEvents = () => {
    if (events.length === 0) return;
    send({ kind: 'events', events });
    events = [];
  };
  const read = readSnapshot(request.path, {
    raw: true,
    onBytes: (chunk) => hash.update(chunk),
    onProgress: (bytesRead, size) => {
      sendRows();
      sendEvents();
      send({ kind: 'progress', bytesRead, size });
    },
  });
  for (const event of read) {
    // Without a version the main thread reports the records; it reads schema_version itself too.
    if (event.kind === 'record' && fresh.has(event.type) && validator.version !== undefined) {
      sendEvents();
      if (rowsType !== event.type) sendRows();
      rowsType = event.type;
      const { type, index, line, text } = event;
      if (!canonicalLine(line, text)) canonicalLines = false;
      const before = validator.issues.length;
      const record = validator.check(type, index, line, text, event.value);
      if (record) {
        const row = toValues(type, record, { local_seq: index, change_seq: line });
        rows.push(row);
      } else {
        const issues = validator.issues.splice(before);
        rows.push([-1, index, line, issues.find((i) => i.id !== undefined)?.id ?? null, issues]);
      }
      if (rows.length >= BATCH) sendRows();
      continue;
    }
    sendRows();
    if (event.kind === 'restart') hash = createHash('sha256');
    events.push(event);
    if (event.kind === 'meta') {
      try {
        validator.meta(event);
      } catch {
        break; // a version this pm cannot read: the main thread refuses the file at this event
      }
    }
    if (events.length >= BATCH) sendEvents();
  }
  sendRows();
  sendEvents();
  send({ kind: 'done', hash: hash.digest('hex') });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  check(workerData as CheckRequest, (message) => port.postMessage(message));
}
