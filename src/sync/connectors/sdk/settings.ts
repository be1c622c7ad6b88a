import * as z from 'zod/mini';
import {
  CONFLICT_STRATEGIES,
  ConfigError,
  ValidationError,
  everySeconds,
  toIssues,
  type ConflictStrategy,
} from '../../../domain/index.js';
import type { Connector } from './connector.js';
import type { RetryPolicy } from './retry.js';

/**
 * A setting of a connection, as `[connections.NAME]` in config.toml holds it and as
 * `pm connect KIND` takes it: `--map-type <pairs>` sets `map_type`.
 */
export interface SettingFlag {
  /** The option's name when it is not the key's (`timeout` for `timeout_ms`). */
  name?: string;
  /** How the value reads in help, e.g. `<name>`. */
  value: string;
  help: string;
  /** The command line's text to the config value (default: the text). Throws a ValidationError naming the flag. */
  parse?: (text: string, flag: string) => unknown;
}

export type SettingFlags<S> = { readonly [K in keyof S & string]-?: SettingFlag };

/** `epic=Feature,story=Support` → { epic: 'Feature', story: 'Support' }. */
export function parsePairs(text: string, flag: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1)
      throw new ValidationError([
        {
          path: flag,
          message: `expected pm=remote pairs separated by commas (e.g. epic=Feature), got ${JSON.stringify(pair)}`,
        },
      ]);
    map[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return map;
}

export function parseInteger(min: number) {
  return (text: string, flag: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new ValidationError([{ path: flag, message: `expected a whole number ≥ ${min}, got ${JSON.stringify(text)}` }]);
    return n;
  };
}

const pairs = z.record(z.string(), z.string());

const DEFAULT_BATCH_SIZE = 50;

/** What every connection has, whatever its kind. */
export const baseSettingsSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  project: z.string().check(z.minLength(1)),
  pm_project: z.optional(z.string().check(z.minLength(1))),
  strategy: z.optional(z.enum(CONFLICT_STRATEGIES)),
  map_type: z.optional(pairs),
  map_status: z.optional(pairs),
  workers: z.optional(z.int().check(z.gte(1), z.lte(32))),
  rate_limit: z.optional(z.number().check(z.gte(0))),
  timeout_ms: z.optional(z.int().check(z.gte(100))),
  /** Links a run writes to the database per transaction. */
  batch_size: z.optional(z.int().check(z.gte(1), z.lte(10_000))),
  /** `pm serve` runs it on its own this often: a duration of at least a minute (15m, 1h). */
  every: z.optional(
    z.string().check(z.refine((text) => everySeconds(text) !== undefined, 'expected a duration of at least 1m, like 15m or 1h')),
  ),
});
export type BaseSettings = z.output<typeof baseSettingsSchema>;

export const BASE_FLAGS: SettingFlags<BaseSettings> = {
  url: { value: '<url>', help: "the tracker's base URL" },
  project: { value: '<id>', help: 'the remote project' },
  pm_project: { value: '<key>', help: 'the pm project it syncs (default: the only project)', parse: (t) => t.toUpperCase() },
  strategy: {
    value: '<strategy>',
    help: `same field changed on both sides: ${CONFLICT_STRATEGIES.join(' | ')} (default manual)`,
  },
  map_type: {
    value: '<pairs>',
    help: 'pm item types to remote types, e.g. epic=Feature,story=Support,task=Bug',
    parse: parsePairs,
  },
  map_status: {
    value: '<pairs>',
    help: 'pm statuses to remote statuses, e.g. "todo=New,in_progress=In Progress,done=Closed"',
    parse: parsePairs,
  },
  workers: { value: '<n>', help: 'remote requests in flight at once (default: what suits the tracker)', parse: parseInteger(1) },
  rate_limit: {
    value: '<n>',
    help: 'remote requests a second at most, 0 for no limit (default: what suits the tracker)',
    parse: parseInteger(0),
  },
  timeout_ms: {
    name: 'timeout',
    value: '<ms>',
    help: 'give up on a request after this long (default 15000)',
    parse: parseInteger(100),
  },
  batch_size: {
    value: '<n>',
    help: `records a run writes to the database per transaction (default ${DEFAULT_BATCH_SIZE})`,
    parse: parseInteger(1),
  },
  every: {
    value: '<duration>',
    help: 'pm serve syncs it on its own this often, e.g. 15m or 1h ("off" to stop)',
    parse: (text) => (text.trim() === 'off' ? undefined : text),
  },
};

/** A connection as config.toml and the secret store give it, before its kind's settings are checked. */
export interface RawConnection {
  name: string;
  kind: string;
  /** Everything under `[connections.NAME]`. */
  settings: Record<string, unknown>;
  /** The API key or token. */
  secret: string;
  /** Where the settings come from, for messages (e.g. `.pm/config.toml`). */
  source: string;
}

/** A connection as the engine runs it. */
export interface ConnectionSettings<O = Record<string, unknown>> {
  name: string;
  kind: string;
  url: string;
  project: string;
  /** The pm project synced (its key); optional when there is one project. */
  pmProject: string | undefined;
  strategy: ConflictStrategy;
  mapType: Record<string, string>;
  mapStatus: Record<string, string>;
  /** Remote requests in flight at once. */
  workers: number;
  /** Remote requests a second at most (0: no limit). */
  ratePerSecond: number;
  timeoutMs: number;
  /** Links written to the database per transaction. */
  batchSize: number;
  secret: string;
  /** The connector's own settings. */
  options: O;
}

/** What a connector is made with: its connection, and how the engine wants it to call the remote. */
export interface ConnectorSettings<O = Record<string, unknown>> extends ConnectionSettings<O> {
  /** pm's statuses of the synced project, in board order: what remote statuses map back to. */
  localStatuses: readonly string[];
  /** Called before every request: the engine's rate limiter. */
  beforeRequest?: () => Promise<void>;
  /** How reads are retried. */
  retry?: RetryPolicy;
  /** Aborts the connector's requests in flight (the run is cancelled). */
  signal?: AbortSignal;
}

/**
 * A kind of remote tracker: what `pm connect KIND` takes and how the connector is made. The
 * implementation is loaded only when a connection of this kind is used.
 */
export interface ConnectorDefinition<O extends object = Record<string, unknown>> {
  readonly kind: string;
  /** The tracker's name in messages and help, e.g. `Redmine`. */
  readonly title: string;
  /** What `--project` names, e.g. `its identifier, e.g. web`. */
  readonly projectHelp: string;
  /** What the secret is called, e.g. `API key`. */
  readonly secretName: string;
  /** The connector's page in docs/. */
  readonly docs: string;
  /** The connector's own settings (besides the base ones). */
  readonly settings: z.ZodMiniType<O>;
  readonly flags: SettingFlags<O>;
  /** Defaults that suit this tracker. */
  readonly defaults: { workers: number; ratePerSecond: number };
  create(settings: ConnectorSettings<O>): Promise<Connector>;
}

/** A definition with its settings' type forgotten: what registries and the CLI hold. */
export type AnyConnectorDefinition = Omit<ConnectorDefinition<object>, 'flags'> & {
  readonly flags: Readonly<Record<string, SettingFlag>>;
};

export function defineConnector<O extends object>(definition: ConnectorDefinition<O>): AnyConnectorDefinition {
  return definition;
}

/** The keys a definition's settings own (besides the base ones). */
export function settingKeys(definition: AnyConnectorDefinition): string[] {
  return Object.keys(definition.flags);
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The first problem with a connection's settings, checked against the base schema and its
 * kind's own: the setting's key and what is wrong; undefined when they are fine.
 */
export function settingsProblem(
  definition: AnyConnectorDefinition,
  settings: Record<string, unknown>,
): { key: string; message: string } | undefined {
  for (const schema of [baseSettingsSchema, definition.settings] as const) {
    const result = schema.safeParse(settings);
    if (!result.success) {
      const issue = toIssues(result.error)[0]!;
      return { key: issue.path.split('.')[0]!, message: `${issue.path}: ${issue.message}` };
    }
  }
  const known = new Set(['kind', ...Object.keys(BASE_FLAGS), ...settingKeys(definition)]);
  const unknown = Object.keys(settings).find((key) => !known.has(key));
  if (unknown === undefined) return undefined;
  return {
    key: unknown,
    message: `${unknown}: not a setting of ${definition.title} connections (expected one of ${[...known].join(', ')})`,
  };
}

/** A connection's settings, checked; a clear error names the file, the connection and the field. */
export function parseConnection(definition: AnyConnectorDefinition, raw: RawConnection): ConnectionSettings<object> {
  const problem = settingsProblem(definition, raw.settings);
  if (problem) throw new ConfigError('config_invalid', `${raw.source}: connection ${raw.name}: ${problem.message}`);
  const b = baseSettingsSchema.parse(raw.settings);
  return {
    name: raw.name,
    kind: raw.kind,
    url: b.url,
    project: b.project,
    pmProject: b.pm_project,
    strategy: b.strategy ?? 'manual',
    mapType: b.map_type ?? {},
    mapStatus: b.map_status ?? {},
    workers: b.workers ?? definition.defaults.workers,
    ratePerSecond: b.rate_limit ?? definition.defaults.ratePerSecond,
    timeoutMs: b.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    batchSize: b.batch_size ?? DEFAULT_BATCH_SIZE,
    secret: raw.secret,
    options: definition.settings.parse(raw.settings),
  };
}
