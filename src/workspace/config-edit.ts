import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import type * as z from 'zod/mini';
import { ValidationError, toIssues } from '../domain/index.js';
import { configSchema, parseConfig, type Config } from './config.js';

/**
 * `pm config get/set`: dotted keys (`sync.auto_export`, `aliases.mine`) checked against the
 * config schema, values against the key's schema, and config.toml edited in place so its
 * comments stay.
 */

type Schema = z.core.$ZodType;
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  valueType?: Schema;
}
const defOf = (schema: Schema): Def => schema._zod.def;

/** Optional wrappers off: the schema a value is checked against. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  while (defOf(s).innerType && ['optional', 'nullable', 'default', 'prefault'].includes(defOf(s).type)) s = defOf(s).innerType!;
  return s;
}

/** Keys (and tables) TOML can write bare: all pm's settings and names are such. */
const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Every settable key, for messages: tables' keys, `NAME` for a table of names. */
export function configKeys(schema: Schema = configSchema, prefix = ''): string[] {
  const def = defOf(unwrap(schema));
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, sub]) => configKeys(sub, `${prefix}${key}.`));
  }
  if (def.type === 'record' && def.valueType) return configKeys(def.valueType, `${prefix}NAME.`);
  return [prefix.slice(0, -1)];
}

/** The schema of one setting; refuses unknown keys and whole tables. */
function settingSchema(key: string): { path: string[]; schema: Schema } {
  const path = key.split('.');
  const bad = (message: string) => new ValidationError([{ path: key, message }]);
  let schema: Schema = configSchema;
  for (const part of path) {
    const def = defOf(unwrap(schema));
    const next = !BARE_KEY.test(part)
      ? undefined
      : def.type === 'object'
        ? def.shape?.[part]
        : def.type === 'record'
          ? def.valueType
          : undefined;
    if (!next) throw bad(`no such setting; the settings are ${configKeys().join(', ')}`);
    schema = next;
  }
  const leaf = unwrap(schema);
  if (['object', 'record'].includes(defOf(leaf).type)) {
    const keys = configKeys(schema, `${key}.`);
    throw bad(`a table: set one of its keys (${keys.join(', ')})`);
  }
  return { path, schema: leaf };
}

/** A setting's value in a config, or undefined when it is not set. */
export function getConfigValue(config: Config, key: string): unknown {
  const { path } = settingSchema(key);
  let value: unknown = config;
  for (const part of path)
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** A value as TOML writes it (`true`, `5`, `"WEB"`, `["done"]`). */
export function tomlValue(value: unknown): string {
  return stringifyToml({ v: value }).trim().replace(/^v = /, '');
}

/**
 * VALUE as typed on the command line: a TOML value (`true`, `3`, `["done", "closed"]`) when the
 * key takes one, else the text itself, so `pm config set default_project WEB` needs no quotes.
 */
function settingValue(key: string, schema: Schema, text: string): unknown {
  let typed: unknown;
  try {
    typed = (parseToml(`v = ${text}`) as { v: unknown }).v;
  } catch {
    typed = undefined;
  }
  const check = (value: unknown) => (schema as z.ZodMiniType).safeParse(value);
  for (const value of typed === undefined ? [text] : [typed, text]) if (check(value).success) return value;
  const issue = toIssues((check(typed ?? text) as { error: z.core.$ZodError }).error)[0];
  throw new ValidationError([{ path: key, message: `${issue?.message ?? 'invalid value'} (got ${text})` }]);
}

const HEADER = /^\s*\[\s*([^[\]]+?)\s*\]\s*(#.*)?$/;

/** config.toml's text with one setting set: its line replaced (or uncommented), else added. */
function withSetting(text: string, path: string[], value: unknown): string {
  const table = path.slice(0, -1).join('.');
  const key = path[path.length - 1]!;
  const line = `${key} = ${tomlValue(value)}`;
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  // The table's lines: after its header (or from the top for top-level keys) to the next header.
  let start = 0;
  if (table !== '') {
    const header = lines.findIndex((l) => HEADER.exec(l)?.[1]?.replace(/\s*\.\s*/g, '.') === table);
    if (header < 0) return `${lines.join('\n')}${lines.length ? '\n\n' : ''}[${table}]\n${line}\n`;
    start = header + 1;
  }
  let end = lines.findIndex((l, i) => i >= start && HEADER.test(l));
  if (end < 0) end = lines.length;
  const at = (re: RegExp) => lines.findIndex((l, i) => i >= start && i < end && re.test(l));
  const escaped = key.replace(/-/g, '\\-');
  let index = at(new RegExp(`^\\s*${escaped}\\s*=`));
  if (index < 0) index = at(new RegExp(`^\\s*#\\s*${escaped}\\s*=`));
  if (index >= 0) lines[index] = line;
  else {
    let after = end;
    while (after > start && lines[after - 1]!.trim() === '') after--;
    lines.splice(after, 0, line);
  }
  return `${lines.join('\n')}\n`;
}

/** Sets one setting in the config file at `file`, refusing a key or value the schema refuses. */
export function setConfigValue(file: string, key: string, text: string): unknown {
  const { path, schema } = settingSchema(key);
  const value = settingValue(key, schema, text);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const next = withSetting(current, path, value);
  // A layout the line edit does not know (a value over several lines, dotted keys): refuse, never break the file.
  let written: unknown;
  try {
    written = getConfigValue(parseConfig(next, file), key);
  } catch {
    written = undefined;
  }
  if (JSON.stringify(written) !== JSON.stringify(value)) {
    throw new ValidationError([{ path: key, message: `cannot set it in ${file} by itself: edit the file by hand` }]);
  }
  writeFileSync(file, next);
  return value;
}
