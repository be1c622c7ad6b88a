import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import { ValidationError } from '../domain/index.js';
import type { CliIo } from './output/output.js';

/** All of stdin as text, without the trailing newline a pipe or heredoc adds. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The options that give a long text: its value (`-` for stdin), a file, or the editor. */
export interface LongTextOptions {
  value?: string;
  file?: string;
  edit?: boolean;
}

const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The flags that give the long text `name`, for errors. */
export const textFlags = (name: string) => ({ value: `--${name}`, file: `--${name}-file` });
export const DESCRIPTION_FLAGS = textFlags('description');

/** `--<name>-file <file>`, to go next to a command's `--<name> <text>`. */
export const fileOption = (name: string) => new Option(`--${name}-file <file>`, `read the ${name} from a file`);

/** `-e, --edit`: write the long text in the user's editor. */
export const editOption = (name: string) => new Option('-e, --edit', `write the ${name} in $VISUAL or $EDITOR`);

/** The long-text options a command parsed for `--<name>`, in the shape `longText` reads. */
export function longTextOf(opts: object, name: string): LongTextOptions {
  const parsed = opts as Record<string, unknown>;
  const pick = (key: string) => (typeof parsed[key] === 'string' ? parsed[key] : undefined);
  return { value: pick(camel(name)), file: pick(`${camel(name)}File`), edit: parsed.edit === true };
}

/**
 * The text the user gave one of three ways, or undefined when none: `-` reads stdin, a file is
 * read as it is, and the editor starts from `initial` (the current text, when editing).
 */
export async function longText(
  io: CliIo,
  source: LongTextOptions,
  flags: { value: string; file: string },
  initial = '',
): Promise<string | undefined> {
  const given = [source.value !== undefined, source.file !== undefined, source.edit === true].filter(Boolean).length;
  if (given > 1) {
    throw new ValidationError([{ path: flags.value, message: `give the text one way: ${flags.value}, ${flags.file} or --edit` }]);
  }
  if (source.value === '-') return readStdin();
  if (source.value !== undefined) return source.value;
  if (source.file !== undefined) return readTextFile(io, source.file, flags.file);
  if (source.edit) return editText(io, initial, flags.value);
  return undefined;
}

/** A text that must be given: when none is, a terminal opens the editor and a script is told which flags give it. */
export async function requiredText(
  io: CliIo,
  source: LongTextOptions,
  flags: { value: string; file: string },
  initial = '',
): Promise<string> {
  const text = await longText(io, source, flags, initial);
  if (text !== undefined) return text;
  if (io.isTTY) return editText(io, initial, flags.value);
  throw new ValidationError([{ path: flags.value, message: `missing: give it, - for stdin, ${flags.file} or --edit` }]);
}

function readTextFile(io: CliIo, file: string, flag: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8').replace(/\s+$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw new ValidationError([{ path: flag, message: `${file}: ${reason}` }]);
  }
}

/** Opens `$VISUAL` or `$EDITOR` (else vi) on a temp file holding `initial`; an emptied file cancels. */
export async function editText(io: CliIo, initial: string, flag: string): Promise<string> {
  const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
  // Loaded here, not with the module: every command that takes a text would pay for them.
  const { mkdtemp, readFile, rm, writeFile } = process.getBuiltinModule('node:fs/promises');
  const { spawn } = process.getBuiltinModule('node:child_process');
  const dir = await mkdtemp(join(tmpdir(), 'pm-edit-'));
  const file = join(dir, 'TEXT.md');
  try {
    await writeFile(file, initial === '' ? '' : `${initial}\n`);
    // Through the shell, as git does, so EDITOR="code --wait" works.
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, editor, file], { env: io.env, stdio: 'inherit' });
      child.on('error', fail);
      child.on('close', done);
    });
    if (code !== 0)
      throw new ValidationError([{ path: flag, message: `the editor (${editor}) exited with ${code}: nothing changed` }]);
    const text = (await readFile(file, 'utf8')).replace(/\s+$/, '');
    if (text === '') throw new ValidationError([{ path: flag, message: 'the text is empty: nothing changed' }]);
    return text;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
