import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import * as z from 'zod/mini';
import { ConfigError, DEFAULT_DONE_STATUSES, ITEM_TYPES, statusValueSchema, toIssues } from '../domain/index.js';
import { connectionConfigSchema } from './connections.js';

/** `.pm/config.toml`: tracked in git, so it holds settings only, never secrets. */
export const configSchema = z.looseObject({
  schema_version: z.optional(z.int().check(z.gte(1))),
  default_project: z.optional(z.string()),
  sync: z.optional(
    z.looseObject({
      /** Export .pm/data.json after every command that changed data (default true). */
      auto_export: z.optional(z.boolean()),
      /** With auto_export on: a data.json at least this large (MiB) is written after the command returns. */
      background_export_mb: z.optional(z.number().check(z.gte(0))),
    }),
  ),
  server: z.optional(
    z.looseObject({
      /** Require a token even on loopback (beyond loopback tokens are always required). */
      require_token: z.optional(z.boolean()),
      /** Largest snapshot `POST /api/v1/sync/import` accepts, in MiB. */
      max_import_mb: z.optional(z.number().check(z.gt(0))),
      /** Requests per minute one client may make to /api/v1/sync/*. */
      sync_requests_per_minute: z.optional(z.int().check(z.gte(1))),
      /** Host names besides loopback's a server without tokens answers (DNS rebinding guard). */
      allowed_hosts: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(253)))),
      /** PostgreSQL: share the database with other servers and pm worker, and split sync runs into batches. */
      scale_out: z.optional(z.boolean()),
      /** Scale-out: this server pushes batches too, as pm worker does (implies scale_out). */
      work_batches: z.optional(z.boolean()),
      /** Scale-out: local records per batch. */
      batch_size: z.optional(z.int().check(z.gte(1), z.lte(10_000))),
      /** Scale-out: seconds a batch stays claimed by a worker that stopped renewing its claim. */
      lease_seconds: z.optional(z.number().check(z.gte(1))),
    }),
  ),
  item: z.optional(
    z.looseObject({
      /** What `pm item add` creates without --type (default task). */
      default_type: z.optional(z.enum(ITEM_TYPES)),
    }),
  ),
  workflow: z.optional(
    z.looseObject({
      done_statuses: z.optional(z.array(statusValueSchema).check(z.minLength(1))),
    }),
  ),
  /** `pm NAME …` runs `pm` with these words instead (`mine = "item list --assignee me"`); commands win over aliases. */
  aliases: z.optional(
    z.record(
      z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, 'an alias name is letters, digits, _ and -')),
      z.string().check(z.trim(), z.minLength(1, 'an alias needs the words it stands for')),
    ),
  ),
  /** Remote trackers (pm connect): settings only, their keys are in .pm/secrets.toml or the environment. */
  connections: z.optional(z.record(z.string(), connectionConfigSchema)),
});
export type Config = z.output<typeof configSchema>;

export const DEFAULT_CONFIG_TOML = `# pm settings for this repository. Tracked in git: never put secrets here
# (they go in .pm/secrets.toml, which is ignored).
schema_version = 1

# The project commands use when --project is not given.
# default_project = "WEB"

[sync]
# Write .pm/data.json after every command that changes data, so git always sees the current
# state (git status, git commit -a). Turn off for very large repositories and rely on the
# pre-commit hook (pm hooks install), which then writes it on commit (pm only marks it changed,
# so git status shows it and git commit -a takes it), or on pm sync export.
auto_export = true
# With auto_export on, a data.json at least this large (MiB) is written by a pm process of its
# own after the command returns, so commands do not wait for a large file: git sees the change
# a moment later, and pm sync export --pending waits for it. 0: always; a large number: never.
# background_export_mb = 32

[server]
# pm serve: require a token even on 127.0.0.1 (listening anywhere else always requires one).
# require_token = false
# max_import_mb = 256
# sync_requests_per_minute = 60
# Host names besides localhost / 127.0.0.1 / [::1] that clients may reach a tokenless server by.
# allowed_hosts = ["pm.local"]
# PostgreSQL only: several servers and pm worker processes share sync runs (docs/scale-out.md).
# scale_out = false
# work_batches = false
# batch_size = 25
# lease_seconds = 30

[workflow]
# Statuses that count as finished: hidden from \`pm item list\` without --all, never "ready".
done_statuses = ["done"]

[aliases]
# Your own commands: \`pm mine\` runs \`pm item list --assignee me\` (pm's commands win over aliases).
# mine = "item list --assignee me"
`;

export function readConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseConfig(text, path);
}

/** config.toml's text, checked against the schema; errors name the file and the key. */
export function parseConfig(text: string, path: string): Config {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    throw new ConfigError('config_invalid', `${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = toIssues(result.error)[0]!;
    throw new ConfigError('config_invalid', `${path}: ${issue.path}: ${issue.message}`);
  }
  return result.data;
}

/** The words an alias stands for: split as a shell would, with '…' and "…" quoting. */
export function aliasWords(alias: string): string[] {
  const words: string[] = [];
  for (const match of alias.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3]!));
  }
  return words;
}

export function doneStatuses(config: Config): readonly string[] {
  return config.workflow?.done_statuses ?? DEFAULT_DONE_STATUSES;
}

export function autoExport(config: Config): boolean {
  return config.sync?.auto_export ?? true;
}

/** Below this size (MiB) a command writes data.json itself: a 32 MiB file takes it about 30 ms. */
const BACKGROUND_EXPORT_MB = 32;

/** From what size on (bytes) auto-export leaves writing data.json to a process of its own. */
export function backgroundExportBytes(config: Config): number {
  return (config.sync?.background_export_mb ?? BACKGROUND_EXPORT_MB) * 1048576;
}
