import { writeSync } from 'node:fs';
import type { Writer } from './output.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes to a file descriptor synchronously, as Node's own stdout does for files and pipes,
 * without creating `process.stdout`: making that stream (a socket for a pipe) costs a short
 * command a good part of its run. A reader that goes away (`pm … | head`) ends pm quietly.
 */
export function fdWriter(fd: number): Writer {
  return {
    write(text: string | Buffer): boolean {
      const bytes = typeof text === 'string' ? Buffer.from(text) : text;
      for (let at = 0; at < bytes.length;) {
        try {
          at += writeSync(fd, bytes, at);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
          // A non-blocking pipe that is full: wait a moment for its reader.
          if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
          else throw error;
        }
      }
      return true;
    },
  };
}
