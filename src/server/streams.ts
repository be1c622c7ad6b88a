import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PmError } from '../domain/index.js';
import type { Sink } from '../sync/index.js';
import { payloadTooLarge } from './errors.js';

export interface Spooled {
  bytes: number;
  sha256: string;
}

/**
 * Writes a request body to `file`, counting bytes as they arrive: past `limit` the upload is
 * refused with 413 and the partial file removed, so an oversized body never reaches the
 * database and never fills the disk.
 */
export async function spool(body: Readable, file: string, limit: number): Promise<Spooled> {
  let bytes = 0;
  const hash = createHash('sha256');
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limit) return done(payloadTooLarge(limit));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    rmSync(file, { force: true });
    if (error instanceof PmError) throw error;
    if (body.destroyed || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new PmError('validation_failed', 'the request body ended before it was complete', { field: 'body' });
    }
    throw error;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * A snapshot sink over a response stream, with backpressure: a write waits while the client
 * is behind, and fails once the client has gone, so an abandoned export ends its transaction.
 */
export function streamSink(out: Writable): Sink {
  return {
    write(chunk) {
      if (out.destroyed) throw new Error('the client went away during the export');
      if (out.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          out.off('drain', onDrain);
          out.off('close', onClose);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = () => settle();
        const onClose = () => settle(new Error('the client went away during the export'));
        out.on('drain', onDrain);
        out.on('close', onClose);
      });
    },
  };
}
