import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isEntityType, type EntityType } from '../../domain/index.js';
import { JsonScanner } from './json-scanner.js';

/** A record can hold 1 MiB of text; escaped, that stays far below this. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const MAX_KEY_BYTES = 256;
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
 * line by line with flat memory; any other JSON layout is read value by value (see `readAnyLayout`).
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
      yield* readAnyLayout(path, options);
    }
  } finally {
    closeSync(fd);
  }
}

/** Returns true when the file is not in the line layout and should be read as any JSON instead. */
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

/** A problem with the file's structure: where the reading stopped. */
function structure(scanner: JsonScanner, expected: string, found: number): SnapshotEvent {
  const what = found === -1 ? 'the end of the file' : JSON.stringify(String.fromCharCode(found));
  const message =
    found === -1
      ? `the file ends early: it is truncated (expected ${expected})`
      : `invalid JSON: expected ${expected}, found ${what}`;
  return { kind: 'issue', issue: { line: scanner.line, message } };
}

/** A value the scanner kept, parsed; an issue when it is not UTF-8 or not JSON. */
function parseKept(bytes: Buffer): { value: unknown } | { problem: string } {
  if (!isUtf8(bytes)) return { problem: 'not valid UTF-8' };
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (error) {
    return { problem: `invalid JSON: ${(error as Error).message}` };
  }
}

/**
 * Reads a file in any other JSON layout with bounded memory: a first pass takes the metadata
 * (wherever it is in the object, as pm's layout has it first), a second the records, each
 * parsed on its own. A record may take MAX_LINE_BYTES, as a line may.
 */
function* readAnyLayout(path: string, options: ReadOptions): Generator<SnapshotEvent> {
  for (const pass of ['meta', 'records'] as const) {
    const fd = openSync(path, 'r');
    try {
      const scanner = new JsonScanner(fd, pass === 'records' ? options.onBytes : undefined);
      for (const event of walkObject(scanner, pass)) {
        // Problems are reported once, by the pass that reads everything.
        if (pass === 'records' ? event.kind !== 'meta' : event.kind === 'meta') yield event;
      }
    } finally {
      closeSync(fd);
    }
  }
}

function* walkObject(scanner: JsonScanner, pass: 'meta' | 'records'): Generator<SnapshotEvent> {
  if (scanner.peek() !== 0x7b) {
    yield { kind: 'issue', issue: { message: 'expected a JSON object with schema_version and one array per entity type' } };
    return;
  }
  scanner.take();
  let next = scanner.peek();
  if (next === 0x7d) scanner.take();
  else {
    for (;;) {
      if (next !== 0x22) {
        yield structure(scanner, 'a key in quotes', next);
        return;
      }
      const line = scanner.line;
      const keyBytes = scanner.value(MAX_KEY_BYTES);
      if (!keyBytes) {
        yield structure(scanner, 'a closing "', -1);
        return;
      }
      const key = keyBytes.bytes ? parseKept(keyBytes.bytes) : undefined;
      if (!key || !('value' in key) || typeof key.value !== 'string') {
        yield { kind: 'issue', issue: { line, message: `invalid key: expected a string of at most ${MAX_KEY_BYTES} bytes` } };
        return;
      }
      next = scanner.peek();
      if (next !== 0x3a) {
        yield structure(scanner, ': after the key', next);
        return;
      }
      scanner.take();
      next = scanner.peek();
      if (next === 0x5b && pass === 'records') {
        if (!(yield* walkSection(scanner, key.value))) return;
      } else if (next !== 0x5b && pass === 'meta') {
        const scanned = scanner.value(MAX_LINE_BYTES);
        if (!scanned) {
          yield structure(scanner, 'a value', -1);
          return;
        }
        const parsed = scanned.bytes ? parseKept(scanned.bytes) : { problem: 'too long' };
        if ('problem' in parsed) {
          yield { kind: 'issue', issue: { line, message: `"${key.value}": ${parsed.problem}` } };
          return;
        }
        yield { kind: 'meta', key: key.value, value: parsed.value, line: 0 };
      } else if (!scanner.value()) {
        yield structure(scanner, 'a value', -1);
        return;
      }
      next = scanner.peek();
      if (next === 0x2c) {
        scanner.take();
        next = scanner.peek();
        continue;
      }
      if (next !== 0x7d) {
        yield structure(scanner, ', or } after a value', next);
        return;
      }
      scanner.take();
      break;
    }
  }
  if (scanner.peek() !== -1) {
    yield { kind: 'issue', issue: { line: scanner.line, message: 'unexpected text after the closing }' } };
    return;
  }
  yield { kind: 'end' };
}

/** The records of one array, each on its own; false when the file's structure ends the reading. */
function* walkSection(scanner: JsonScanner, name: string): Generator<SnapshotEvent, boolean> {
  const known = isEntityType(name);
  if (!known) {
    yield {
      kind: 'issue',
      issue: { line: scanner.line, message: `unknown section "${name}": expected one of the entity types` },
    };
    if (scanner.value()) return true;
    yield structure(scanner, ']', -1);
    return false;
  }
  yield { kind: 'section', type: name, line: 0 };
  scanner.take();
  let next = scanner.peek();
  if (next === 0x5d) {
    scanner.take();
    return true;
  }
  for (let index = 0; ; index++) {
    const line = scanner.line;
    const scanned = scanner.value(MAX_LINE_BYTES);
    if (!scanned) {
      yield structure(scanner, `] closing "${name}"`, -1);
      return false;
    }
    const parsed = scanned.bytes
      ? parseKept(scanned.bytes)
      : {
          problem: `the record is ${(scanned.size / 1048576).toFixed(1)} MiB long; a record may take at most ${MAX_LINE_BYTES / 1048576} MiB`,
        };
    if ('problem' in parsed) yield { kind: 'issue', issue: { line, entity_type: name, index, message: parsed.problem } };
    else {
      const value = parsed.value;
      yield { kind: 'record', type: name, index, line: 0, value, text: JSON.stringify(value) };
    }
    next = scanner.peek();
    if (next === 0x2c) {
      scanner.take();
      continue;
    }
    if (next === 0x5d) {
      scanner.take();
      return true;
    }
    yield structure(scanner, `, or ] after a record of "${name}"`, next);
    return false;
  }
}
