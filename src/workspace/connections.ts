import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import * as z from 'zod/mini';
import { ConfigError, NotFoundError, PmError, ValidationError, toIssues } from '../domain/index.js';
import type { Config } from './config.js';
import type { WorkspacePaths } from './workspace.js';

export const CONNECTION_NAME_RE = /^[a-z][a-z0-9_-]{0,39}$/;

/**
 * `[connections.NAME]` in config.toml: a kind and its settings (everything about a connection
 * except its secret). The settings every connection has are read here to list and schedule
 * connections; the connector of the kind checks them all when the connection is used.
 */
export const connectionConfigSchema = z.looseObject({
  kind: z.string().check(z.minLength(1)),
  url: z.optional(z.string()),
  project: z.optional(z.string()),
  pm_project: z.optional(z.string()),
  strategy: z.optional(z.string()),
  /** `pm serve` runs it on its own this often (15m, 1h). */
  every: z.optional(z.string()),
});
export type ConnectionConfig = z.output<typeof connectionConfigSchema>;

/** A connection ready to check and run: its settings and the secret from the environment or secrets.toml. */
export interface ResolvedConnection {
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  secret: string;
  /** Where the settings are, for messages. */
  source: string;
}

export type KeySource = 'env' | 'secrets' | 'missing';

/** The environment variable that holds a connection kind's secret: PM_AZURE_DEVOPS_API_KEY. */
export function keyVariable(kind: string): string {
  return `PM_${kind.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

export function connectionsOf(config: Config): [string, ConnectionConfig][] {
  return Object.entries(config.connections ?? {});
}

/** The connection by name, or the only one; a clear error otherwise. */
export function pickConnection(config: Config, name: string | undefined): [string, ConnectionConfig] {
  const all = connectionsOf(config);
  if (name !== undefined) {
    const found = all.find(([n]) => n === name);
    if (!found) throw new NotFoundError('connection', name);
    return found;
  }
  if (all.length === 1) return all[0]!;
  if (all.length === 0)
    throw new PmError('no_connection', 'no connection yet: add one with pm connect KIND --url URL --project ID');
  throw new ValidationError([
    { path: 'connection', message: `several connections (${all.map(([n]) => n).join(', ')}): name one (--connection NAME)` },
  ]);
}

function readSecrets(paths: WorkspacePaths): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(paths.secrets, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    return parseToml(text);
  } catch (error) {
    // The message of a TOML error quotes the line, and the line may be the key: never print it.
    throw new ConfigError(
      'config_invalid',
      `${paths.secrets}: not valid TOML (line ${String((error as { line?: number }).line ?? '?')})`,
    );
  }
}

function secretKey(paths: WorkspacePaths, name: string): string | undefined {
  const section = (readSecrets(paths).connections as Record<string, { api_key?: unknown }> | undefined)?.[name];
  return typeof section?.api_key === 'string' && section.api_key.trim() !== '' ? section.api_key.trim() : undefined;
}

export function keySource(paths: WorkspacePaths, env: NodeJS.ProcessEnv, name: string, kind: string): KeySource {
  if (env[keyVariable(kind)]?.trim()) return 'env';
  return secretKey(paths, name) !== undefined ? 'secrets' : 'missing';
}

export function resolveConnection(
  paths: WorkspacePaths,
  env: NodeJS.ProcessEnv,
  config: Config,
  name?: string,
): ResolvedConnection {
  const [connectionName, c] = pickConnection(config, name);
  const secret = env[keyVariable(c.kind)]?.trim() || secretKey(paths, connectionName);
  if (!secret) {
    throw new ConfigError(
      'config_invalid',
      `connection ${connectionName} has no API key: set ${keyVariable(c.kind)}, or api_key under [connections.${connectionName}] in .pm/secrets.toml (pm connect ${c.kind} --api-key-stdin writes it)`,
    );
  }
  return { name: connectionName, kind: c.kind, settings: c, secret, source: paths.config };
}

/**
 * Writes `[connections.NAME]` into config.toml, replacing that section if it is there and
 * leaving the rest of the file (comments included) as it was.
 */
export function saveConnection(paths: WorkspacePaths, name: string, connection: ConnectionConfig): void {
  if (!CONNECTION_NAME_RE.test(name))
    throw new ConfigError(
      'config_invalid',
      `connection name ${JSON.stringify(name)}: expected lowercase letters, digits, - and _`,
    );
  const checked = connectionConfigSchema.safeParse(connection);
  if (!checked.success) {
    const issue = toIssues(checked.error)[0]!;
    throw new ConfigError('config_invalid', `connection ${name}: ${issue.path}: ${issue.message}`);
  }
  let text = '';
  try {
    text = readFileSync(paths.config, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const section = stringifyToml({ connections: { [name]: connection } }).trim();
  const lines = text.split('\n');
  const header = (line: string) => /^\s*\[/.test(line);
  const start = lines.findIndex(
    (line) => line.trim() === `[connections.${name}]` || line.trim().startsWith(`[connections.${name}.`),
  );
  let next: string;
  if (start === -1) next = `${text.replace(/\n*$/, '\n')}\n${section}\n`;
  else {
    let end = start + 1;
    while (end < lines.length && (!header(lines[end]!) || lines[end]!.trim().startsWith(`[connections.${name}.`))) end++;
    next = [...lines.slice(0, start), ...section.split('\n'), '', ...lines.slice(end)].join('\n').replace(/\n{3,}/g, '\n\n');
  }
  atomicWrite(paths.config, next);
}

/** Keeps a connection's key in .pm/secrets.toml (ignored by git, readable by its owner only). */
export function saveSecret(paths: WorkspacePaths, name: string, apiKey: string): void {
  const secrets = readSecrets(paths);
  const connections = (secrets.connections ?? {}) as Record<string, Record<string, unknown>>;
  connections[name] = { ...connections[name], api_key: apiKey };
  secrets.connections = connections;
  atomicWrite(
    paths.secrets,
    `# pm secrets: never commit this file (it is in .pm/.gitignore).\n${stringifyToml(secrets)}\n`,
    0o600,
  );
}

function atomicWrite(path: string, text: string, mode?: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, mode === undefined ? {} : { mode });
  if (mode !== undefined) chmodSync(temp, mode);
  renameSync(temp, path);
}
