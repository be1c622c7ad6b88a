import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isEntityType, type EntityType } from '../../domain/index.js';

/** A record can hold 1 MiB of text; escaped, that stays far below this. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Files not in the one-record-per-line layout are read whole, up to this size. */
export const MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024;
const CHUNK = 1 << 20;

export interface ReadIssue {
  line?: number;
  entity_type?: EntityType;
  index?: number;
  message: string;
}

export type SnapshotEvent =
  | { kind: 'meta'; key: string; value: unknown; line: number }
  | { kind: 'section'; type: EntityType; line: number }
  | { kind: 'record'; type: EntityType; index: number; line: number; value: unknown; text: string }
  | { kind: 'issue'; issue: ReadIssue }
  /** The file is not in the line layout: what follows re-reads it whole, from the start. */
  | { kind: 'restart' }
  | { kind: 'end' };

interface Line {
  text: string;
  number: number;
}

/** Reads a file line by line with fixed memory: lines over MAX_LINE_BYTES are reported, not buffered. */
class LineReader {
  private buffer = Buffer.allocUnsafe(CHUNK * 2);
  private start = 0;
  private end = 0;
  private eof = false;
  private lineNumber = 0;
  bytesRead = 0;

  constructor(
    private readonly fd: number,
    private readonly onBytes?: (chunk: Buffer) => void,
  ) {}

  next(): Line | { tooLong: number; number: number } | { invalidUtf8: true; number: number } | null {
    for (;;) {
      const newline = this.buffer.indexOf(10, this.start);
      if (newline !== -1 && newline < this.end) {
        const line = this.take(this.start, newline);
        this.start = newline + 1;
        return line;
      }
      if (this.eof) {
        if (this.start >= this.end) return null;
        const line = this.take(this.start, this.end);
        this.start = this.end;
        return line;
      }
      if (this.end - this.start > MAX_LINE_BYTES) return this.skipLongLine();
      this.fill();
    }
  }

  private take(from: number, to: number): Line | { invalidUtf8: true; number: number } {
    this.lineNumber++;
    const bytes = this.buffer.subarray(from, to > from && this.buffer[to - 1] === 13 ? to - 1 : to);
    if (!isUtf8(bytes)) return { invalidUtf8: true, number: this.lineNumber };
    return { text: bytes.toString('utf8'), number: this.lineNumber };
  }

  private fill(): void {
    if (this.start > 0) {
      this.buffer.copy(this.buffer, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.buffer.length - this.end < CHUNK) {
      const bigger = Buffer.allocUnsafe(Math.min(MAX_LINE_BYTES + 2 * CHUNK, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.end);
      this.buffer = bigger;
    }
    const n = readSync(this.fd, this.buffer, this.end, Math.min(CHUNK, this.buffer.length - this.end), null);
    this.bytesRead += n;
    if (n > 0) this.onBytes?.(this.buffer.subarray(this.end, this.end + n));
    if (n === 0) this.eof = true;
    this.end += n;
  }

  /** Drops the rest of an over-long line, reading but not keeping it. */
  private skipLongLine(): { tooLong: number; number: number } {
    let length = this.end - this.start;
    this.start = this.end = 0;
    for (;;) {
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
      this.bytesRead += n;
      if (n > 0) this.onBytes?.(this.buffer.subarray(0, n));
      if (n === 0) {
        this.eof = true;
        break;
      }
      const newline = this.buffer.indexOf(10, 0);
      if (newline !== -1 && newline < n) {
        length += newline;
        this.start = newline + 1;
        this.end = n;
        break;
      }
      length += n;
    }
    this.lineNumber++;
    return { tooLong: length, number: this.lineNumber };
  }
}

const META_RE = /^"([A-Za-z_][A-Za-z0-9_]*)"\s*:\s*(.+?),?$/;
const SECTION_RE = /^"([A-Za-z_][A-Za-z0-9_]*)"\s*:\s*\[\s*(\]\s*,?)?$/;

/**
 * Reads a snapshot file as a stream of events. pm's own layout (one record per line) is read
 * line by line with flat memory; any other JSON layout is read whole when it is small enough.
 * Every problem is reported as an issue event, and reading goes on where it can.
 */
export interface ReadOptions {
  /** Fed every byte read, e.g. to hash the file while reading it. */
  onBytes?: (chunk: Buffer) => void;
  /** Leave record lines unparsed (`value` undefined, `text` set): for callers that parse only some. */
  raw?: boolean;
  /** Called now and then with how far reading has got. */
  onProgress?: (bytesRead: number, size: number) => void;
}

export function* readSnapshot(path: string, options: ReadOptions = {}): Generator<SnapshotEvent> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) {
      yield { kind: 'issue', issue: { message: 'the file is empty: expected a pm snapshot (a JSON object)' } };
      return;
    }
    const lines = new LineReader(fd, options.onBytes);
    const fallback = yield* readLines(lines, options, size);
    if (fallback) {
      yield { kind: 'restart' };
      yield* readWhole(path, size, options);
    }
  } finally {
    closeSync(fd);
  }
}

/** Returns true when the file is not in the line layout and should be read whole instead. */
function* readLines(lines: LineReader, options: ReadOptions, size: number): Generator<SnapshotEvent, boolean> {
  let state: 'start' | 'top' | 'section' | 'done' = 'start';
  let section: EntityType | undefined;
  let skipping = false;
  let index = 0;
  for (let line = lines.next(); line !== null; line = lines.next()) {
    if ('tooLong' in line) {
      yield {
        kind: 'issue',
        issue: {
          line: line.number,
          ...(section ? { entity_type: section, index: index++ } : {}),
          message: `line is ${(line.tooLong / 1048576).toFixed(1)} MiB long; a record may take at most ${MAX_LINE_BYTES / 1048576} MiB`,
        },
      };
      continue;
    }
    if ('invalidUtf8' in line) {
      yield {
        kind: 'issue',
        issue: { line: line.number, ...(section ? { entity_type: section, index: index++ } : {}), message: 'not valid UTF-8' },
      };
      continue;
    }
    const text = line.text.trim();
    if (text === '') continue;
    switch (state) {
      case 'start':
        if (text !== '{') return true;
        state = 'top';
        break;
      case 'top': {
        if (text === '}') {
          state = 'done';
          break;
        }
        const open = SECTION_RE.exec(text);
        if (open) {
          const name = open[1]!;
          if (!isEntityType(name)) {
            yield {
              kind: 'issue',
              issue: { line: line.number, message: `unknown section "${name}": expected one of the entity types` },
            };
            skipping = true;
          } else {
            skipping = false;
            section = name;
            yield { kind: 'section', type: name, line: line.number };
          }
          index = 0;
          if (!open[2]) state = 'section';
          break;
        }
        const meta = META_RE.exec(text);
        if (!meta) return true;
        let value: unknown;
        try {
          value = JSON.parse(meta[2]!);
        } catch {
          return true;
        }
        if (Array.isArray(value) || (value !== null && typeof value === 'object')) return true;
        yield { kind: 'meta', key: meta[1]!, value, line: line.number };
        break;
      }
      case 'section': {
        if (text === ']' || text === '],') {
          state = 'top';
          section = undefined;
          break;
        }
        if (text === '{') return true;
        const body = text.endsWith(',') ? text.slice(0, -1) : text;
        if (skipping) break;
        if (options.onProgress && index % 4096 === 0) options.onProgress(lines.bytesRead, size);
        if (options.raw) {
          yield { kind: 'record', type: section!, index: index++, line: line.number, value: undefined, text: body };
          break;
        }
        let value: unknown;
        try {
          value = JSON.parse(body);
        } catch (error) {
          yield {
            kind: 'issue',
            issue: {
              line: line.number,
              entity_type: section!,
              index: index++,
              message: `invalid JSON: ${(error as Error).message}`,
            },
          };
          break;
        }
        yield { kind: 'record', type: section!, index: index++, line: line.number, value, text: body };
        break;
      }
      case 'done':
        yield { kind: 'issue', issue: { line: line.number, message: 'unexpected text after the closing }' } };
        return false;
    }
  }
  if (state === 'start') return true;
  if (state !== 'done') {
    yield {
      kind: 'issue',
      issue: {
        message: `the file ends early${section ? ` inside "${section}"` : ''}: it is truncated (no closing ${state === 'section' ? ']' : '}'})`,
      },
    };
  }
  yield { kind: 'end' };
  return false;
}

function* readWhole(path: string, size: number, options: ReadOptions): Generator<SnapshotEvent> {
  if (size > MAX_WHOLE_FILE_BYTES) {
    yield {
      kind: 'issue',
      issue: {
        message: `the file is not in pm's one-record-per-line layout, and at ${(size / 1048576).toFixed(0)} MiB it is too large to read whole (limit ${MAX_WHOLE_FILE_BYTES / 1048576} MiB)`,
      },
    };
    return;
  }
  const fd = openSync(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, null);
      if (n === 0) break;
      read += n;
    }
    options.onBytes?.(buffer.subarray(0, read));
    if (!isUtf8(buffer.subarray(0, read))) {
      yield { kind: 'issue', issue: { message: 'the file is not valid UTF-8' } };
      return;
    }
    text = buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    yield { kind: 'issue', issue: { ...lineOf(text, error as Error), message: `invalid JSON: ${(error as Error).message}` } };
    return;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    yield { kind: 'issue', issue: { message: 'expected a JSON object with schema_version and one array per entity type' } };
    return;
  }
  const entries = Object.entries(document);
  for (const [key, value] of entries) if (!Array.isArray(value)) yield { kind: 'meta', key, value, line: 0 };
  for (const [key, value] of entries) {
    if (!Array.isArray(value)) continue;
    if (!isEntityType(key)) {
      yield { kind: 'issue', issue: { message: `unknown section "${key}": expected one of the entity types` } };
      continue;
    }
    yield { kind: 'section', type: key, line: 0 };
    for (const [index, record] of value.entries()) {
      yield { kind: 'record', type: key, index, line: 0, value: record as unknown, text: JSON.stringify(record) };
    }
  }
  yield { kind: 'end' };
}

function lineOf(text: string, error: Error): { line?: number } {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return {};
  let line = 1;
  for (let i = 0; i < Number(position[1]) && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return { line };
}
