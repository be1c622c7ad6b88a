import { createHash } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ENTITY_TYPES, type EntityType } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { SECTIONS, SnapshotWriter, type SectionSpan, type Sink } from './layout.js';

export interface ExportResult {
  /** sha256 of the bytes written. */
  hash: string;
  bytes: number;
  counts: Record<EntityType, number>;
  /** The local change counter the snapshot includes everything up to. */
  localSeq: number;
  /** The change counter it includes every row write up to (see `Store.changeSeq`). */
  changeSeq: number;
  /** The removal counter as of the rows it includes (see `Store.removals`). */
  removals: number;
  /** Where each section's records are in the bytes written. */
  spans: Record<EntityType, SectionSpan>;
}

/** Streams a consistent snapshot of the store to `sink`: rows go out as they are read. */
export async function writeSnapshot(store: Store, sink: Sink): Promise<ExportResult> {
  return store.read(async (tx) => {
    const localSeq = Number((await tx.getMeta('local_seq')) ?? 0);
    const changeSeq = await tx.changeSeq();
    const removals = await tx.removals();
    const hash = createHash('sha256');
    let bytes = 0;
    const writer = new SnapshotWriter({
      write(chunk) {
        hash.update(chunk);
        bytes += chunk.length;
        return sink.write(chunk);
      },
    });
    const counts = Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>;
    await writer.begin();
    for (const type of SECTIONS) {
      writer.section(type);
      for await (const line of tx.scanJson(type)) {
        const pending = writer.record(line);
        if (pending) await pending;
        counts[type]++;
      }
    }
    await writer.end();
    const spans = Object.fromEntries(writer.spans) as Record<EntityType, SectionSpan>;
    return { hash: hash.digest('hex'), bytes, counts, localSeq, changeSeq, removals, spans };
  });
}

/**
 * Writes a snapshot file atomically: to a temporary file beside it, flushed to disk, then
 * renamed over the old one. A crash at any moment leaves the old file or the new one, whole.
 */
export async function writeSnapshotFile(store: Store, path: string): Promise<ExportResult> {
  return writeFileAtomically(path, (write) => writeSnapshot(store, { write }));
}

/**
 * Writes `path` atomically with what `produce` hands to `write`: a temporary file beside it,
 * flushed to disk, renamed over the old one. `written` gets the new file's stat before the
 * rename: once renamed, another writer (git) may replace it before anyone could stat it.
 */
export async function writeFileAtomically<T>(
  path: string,
  produce: (write: (chunk: Buffer) => void) => Promise<T>,
  written: (stat: Stats) => void = () => undefined,
): Promise<T> {
  removeAbandonedTemps(path);
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(temp, 'w', 0o644);
  const flusher = new BackgroundFlush(fd);
  try {
    const result = await produce((chunk) => {
      writeSync(fd, chunk);
      flusher.wrote(chunk.length);
    });
    await flusher.settled();
    fsyncSync(fd);
    written(fstatSync(fd));
    closeSync(fd);
    renameSync(temp, path);
    syncDirectory(dirname(path));
    return result;
  } catch (error) {
    await flusher.settled().catch(() => undefined);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw error;
  }
}

const FLUSH_EVERY = 16 << 20;

/**
 * Asks the disk to take what was written so far, every 16 MiB, on libuv's thread pool while
 * the export goes on: the page cache would otherwise hold the whole file until the final
 * fsync, which then waits for all of it. The export does not yield to the event loop, so
 * each request is sent without waiting for the one before.
 */
class BackgroundFlush {
  #unflushed = 0;
  readonly #pending: Promise<void>[] = [];
  #error: Error | undefined;

  constructor(private readonly fd: number) {}

  wrote(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed < FLUSH_EVERY) return;
    this.#unflushed = 0;
    this.#pending.push(
      new Promise((resolve) =>
        fdatasync(this.fd, (error) => {
          this.#error ??= error ?? undefined;
          resolve();
        }),
      ),
    );
  }

  /**
   * Waits for the flushes in flight (the descriptor must stay open until they are done) and
   * throws the first that failed: the kernel reports a write error once per descriptor, so
   * the final fsync would not see it again.
   */
  async settled(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#error) throw this.#error;
  }
}

/** Temporary files of exports whose process is gone (killed mid-export). */
function removeAbandonedTemps(path: string): void {
  const prefix = `.${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(dirname(path), name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes a rename durable. */
export function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported on every platform; the rename itself is still atomic
  }
}
