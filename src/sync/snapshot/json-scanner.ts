import { readSync } from 'node:fs';

const CHUNK = 1 << 20;
const [SPACE, TAB, CR, LF] = [0x20, 0x09, 0x0d, 0x0a];
const [QUOTE, BACKSLASH] = [0x22, 0x5c];
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA] = [0x7b, 0x7d, 0x5b, 0x5d, 0x2c];

/** A value scanned past: its bytes when kept, else only its size. */
export type Scanned = { bytes: Buffer; size: number } | { bytes: undefined; size: number };

/**
 * Reads the tokens of a JSON document from a file in chunks, with memory bounded by the
 * largest value kept: a caller walks the outer structure itself (`peek`, `take`) and takes
 * each inner value as bytes (`value`) to parse on its own, or passes over it. Values are
 * scanned only as far as finding their end (strings, brackets); parsing them checks the rest.
 */
export class JsonScanner {
  private buffer = Buffer.allocUnsafe(CHUNK * 2);
  private pos = 0;
  private end = 0;
  private eof = false;
  /** Where the value being kept starts, or -1; and how long it may be. */
  private mark = -1;
  private limit = 0;
  /** The file offset of the buffer's first byte. */
  private offset = 0;
  /** The line of the next byte, for messages. */
  line = 1;

  constructor(
    private readonly fd: number,
    private readonly onBytes?: (chunk: Buffer) => void,
  ) {}

  /** The next byte that is not whitespace, left unread; -1 at the end of the file. */
  peek(): number {
    for (;;) {
      while (this.pos < this.end) {
        const c = this.buffer[this.pos]!;
        if (c === LF) this.line++;
        else if (c !== SPACE && c !== TAB && c !== CR) return c;
        this.pos++;
      }
      if (!this.fill()) return -1;
    }
  }

  /** Reads the byte `peek` returned. */
  take(): void {
    this.pos++;
  }

  /**
   * Reads the value that starts at the next byte (after whitespace): its bytes when `limit` is
   * given and it is no longer, else only its size; undefined when the file ends inside it.
   * The bytes are a view of the scanner's buffer, valid until the next call.
   */
  value(limit?: number): Scanned | undefined {
    if (this.peek() === -1) return undefined;
    const start = this.offset + this.pos;
    this.mark = limit === undefined ? -1 : this.pos;
    this.limit = limit ?? 0;
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let first = true; ; first = false) {
      if (this.pos >= this.end) {
        if (this.mark !== -1 && this.end - this.mark > this.limit) this.mark = -1;
        if (!this.fill()) {
          this.mark = -1;
          return undefined;
        }
      }
      const c = this.buffer[this.pos]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0) return this.done(start, 1);
        }
      } else if (c === QUOTE) {
        inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) return this.done(start, 0);
        if (--depth === 0) return this.done(start, 1);
      } else if (depth === 0 && !first && (c === COMMA || c <= SPACE)) {
        return this.done(start, 0);
      }
      if (c === LF) this.line++;
      this.pos++;
    }
  }

  /** Ends the value at the current byte (`include`: with it). */
  private done(start: number, include: 0 | 1): Scanned {
    this.pos += include;
    const size = this.offset + this.pos - start;
    const bytes = this.mark !== -1 && size <= this.limit ? this.buffer.subarray(this.mark, this.pos) : undefined;
    this.mark = -1;
    return bytes ? { bytes, size } : { bytes: undefined, size };
  }

  /** Reads more of the file, keeping the value being kept; false at the end. */
  private fill(): boolean {
    if (this.eof) return false;
    const keepFrom = this.mark !== -1 ? this.mark : this.pos;
    if (keepFrom > 0) {
      this.buffer.copy(this.buffer, 0, keepFrom, this.end);
      this.end -= keepFrom;
      this.pos -= keepFrom;
      this.offset += keepFrom;
      if (this.mark !== -1) this.mark = 0;
    }
    if (this.buffer.length - this.end < CHUNK) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.end);
      this.buffer = bigger;
    }
    const n = readSync(this.fd, this.buffer, this.end, CHUNK, null);
    if (n > 0) this.onBytes?.(this.buffer.subarray(this.end, this.end + n));
    if (n === 0) this.eof = true;
    this.end += n;
    return n > 0;
  }
}
