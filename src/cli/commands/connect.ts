import { Option, type Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import {
  BASE_FLAGS,
  CONNECTORS,
  definitionOf,
  parseConnection,
  settingsProblem,
  type AnyConnectorDefinition,
  type SettingFlag,
} from '../../sync/index.js';
import {
  connectionsOf,
  keySource,
  keyVariable,
  pickConnection,
  readConfig,
  resolveConnection,
  saveConnection,
  saveSecret,
  type ConnectionConfig,
} from '../../workspace/index.js';
import { example, jsonOption } from '../options.js';
import type { Session } from '../session.js';
import { readStdin } from '../text-input.js';

interface ConnectOptions {
  name?: string;
  apiKeyStdin?: boolean;
  check?: boolean;
  json?: boolean;
  /** Settings, by the option's attribute name. */
  [setting: string]: unknown;
}

/** A setting as a command-line option: `map_type` → `--map-type <pairs>`, read as `mapType`. */
interface SettingOption {
  key: string;
  flag: SettingFlag;
  long: string;
  attribute: string;
  /** The connectors that have it; empty for the settings every connection has. */
  owners: AnyConnectorDefinition[];
}

function settingOptions(): SettingOption[] {
  const options = new Map<string, SettingOption>();
  const add = (key: string, flag: SettingFlag, owner?: AnyConnectorDefinition) => {
    const long = flag.name ?? key.replace(/_/g, '-');
    const attribute = long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const known = options.get(key) ?? { key, flag, long, attribute, owners: [] };
    if (owner) known.owners.push(owner);
    options.set(key, known);
  };
  for (const [key, flag] of Object.entries(BASE_FLAGS)) add(key, flag);
  for (const definition of CONNECTORS) for (const [key, flag] of Object.entries(definition.flags)) add(key, flag, definition);
  return [...options.values()];
}

function helpOf(option: SettingOption): string {
  if (option.key === 'project')
    return `${option.flag.help} (${CONNECTORS.map((d) => `${d.title}: ${d.projectHelp}`).join('; ')})`;
  if (option.owners.length === 0) return option.flag.help;
  return `${option.owners.map((d) => d.title).join(', ')}: ${option.flag.help}`;
}

const kinds = () => CONNECTORS.map((d) => d.kind);

export function registerConnect(program: Command, session: Session): void {
  const out = session.out;
  const settings = settingOptions();
  const command = program
    .command('connect')
    .description('connect this repository to a remote tracker (settings in config.toml, the key kept out of git)')
    .argument('[kind]', `tracker kind: ${kinds().join(', ')}`)
    .option('--name <name>', 'the connection name (default: the kind)');
  for (const option of settings) command.addOption(new Option(`--${option.long} ${option.flag.value}`, helpOf(option)));
  command
    .option('--api-key-stdin', 'read the API key or token from stdin and keep it in .pm/secrets.toml')
    .option('--check', 'check the URL, the key and the project now')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'PM_REDMINE_API_KEY=… pm connect redmine --url http://localhost:3000 --project web --check',
        'PM_OPENPROJECT_API_KEY=… pm connect openproject --url https://op.example.com --project website --check',
        'PM_AZURE_DEVOPS_API_KEY=… pm connect azure-devops --url https://dev.azure.com/acme --project Website --check',
        'pm connect redmine --map-status review=Feedback --strategy newest_wins --every 15m',
        'pass | pm connect redmine --url https://redmine.example.com --project web --api-key-stdin',
        'pm connect --check',
      ) + `\nEach tracker's settings and blind spots: ${CONNECTORS.map((d) => d.docs).join(', ')}.\n`,
    )
    .action(async (kind: string | undefined, opts: ConnectOptions) => {
      const ws = await session.workspace({ sync: 'off' });
      const given = settings.filter((s) => opts[s.attribute] !== undefined);
      const editing = kind !== undefined || given.length > 0;
      let name = opts.name;
      if (editing) {
        name ??= kind;
        const existing = name !== undefined ? ws.config.connections?.[name] : undefined;
        const connectionKind = kind ?? existing?.kind;
        if (!connectionKind || !kinds().includes(connectionKind)) {
          throw new ValidationError([
            {
              path: 'kind',
              message: `expected one of ${kinds().join(', ')}${connectionKind ? `, got ${JSON.stringify(connectionKind)}` : ''}`,
            },
          ]);
        }
        const definition = definitionOf(connectionKind);
        name ??= connectionKind;
        const connection: ConnectionConfig = { ...existing, kind: connectionKind };
        for (const option of given) {
          if (option.owners.length > 0 && !option.owners.includes(definition)) {
            const owners = option.owners.map((d) => d.title).join(', ');
            throw new ValidationError([
              { path: `--${option.long}`, message: `a setting of ${owners} connections, not of ${definition.title} ones` },
            ]);
          }
          const text = String(opts[option.attribute]);
          const value = option.flag.parse ? option.flag.parse(text, `--${option.long}`) : text;
          // A setting parsed to nothing is taken away (`--every off`).
          if (value === undefined) delete connection[option.key];
          else connection[option.key] = value;
        }
        for (const required of ['url', 'project'] as const)
          if (connection[required] === undefined)
            throw new ValidationError([{ path: `--${required}`, message: `required for a new ${definition.title} connection` }]);
        // Checked as a run would check it, before anything is written.
        const problem = settingsProblem(definition, connection);
        if (problem) {
          const option = settings.find((s) => s.key === problem.key);
          throw new ValidationError([{ path: option ? `--${option.long}` : problem.key, message: problem.message }]);
        }
        saveConnection(ws.paths, name, connection);
        if (opts.apiKeyStdin) {
          const key = (await readStdin()).trim();
          if (!key) throw new ValidationError([{ path: '--api-key-stdin', message: 'stdin was empty: pipe the API key in' }]);
          saveSecret(ws.paths, name, key);
        }
      } else if (opts.apiKeyStdin) {
        name = pickConnection(ws.config, name)[0];
        saveSecret(ws.paths, name, (await readStdin()).trim());
      } else if (!opts.check) {
        throw new ValidationError([
          {
            path: 'kind',
            message: `say which tracker: pm connect ${kinds().join('|')} --url URL --project ID (or --check an existing connection)`,
          },
        ]);
      }

      const config = readConfig(ws.paths.config);
      const [connectionName, connection] = pickConnection(config, name);
      const source = keySource(ws.paths, session.io.env, connectionName, connection.kind);
      let check: { account: string; notes: string[] } | undefined;
      if (opts.check) {
        const resolved = resolveConnection(ws.paths, session.io.env, config, connectionName);
        const definition = definitionOf(resolved.kind);
        const connector = await definition.create({ ...parseConnection(definition, resolved), localStatuses: [] });
        check = await connector.check();
      }
      if (opts.json) return out.json({ name: connectionName, ...connection, key: source, ...(check ? { check } : {}) });
      if (editing)
        out.line(
          `Connection ${connectionName} (${connection.kind} ${String(connection.url)}, project ${String(connection.project)}) saved in .pm/config.toml`,
        );
      out.line(`API key: ${describeKey(source, connection.kind, connectionName)}`);
      if (check) {
        out.line(`Checked: signed in as ${check.account}; project ${String(connection.project)} found`);
        for (const note of check.notes) out.note(`${out.c.yellow('warning:')} ${note}`);
      }
    });

  program
    .command('connections')
    .description('list the remote trackers this repository syncs with')
    .addOption(jsonOption())
    .addHelpText('after', example('pm connections', 'pm connections --json'))
    .action(async (opts: { json?: boolean }) => {
      const ws = await session.workspace({ sync: 'off' });
      const rows = await Promise.all(
        connectionsOf(ws.config).map(async ([name, c]) => {
          const last = (await ws.store.sync.listRuns({ connection: name, limit: 1 })).runs[0];
          return {
            name,
            ...c,
            url: String(c.url),
            project: String(c.project),
            pm_project: typeof c.pm_project === 'string' ? c.pm_project : undefined,
            strategy: typeof c.strategy === 'string' ? c.strategy : 'manual',
            key: keySource(ws.paths, session.io.env, name, c.kind),
            last_run: last ? { id: last.id, status: last.status, finished_at: last.finished_at } : null,
          };
        }),
      );
      if (opts.json) return out.json(rows);
      if (rows.length === 0) return out.note(`No connections yet: pm connect ${kinds().join('|')} --url URL --project ID`);
      out.table(
        [
          { header: 'NAME' },
          { header: 'KIND' },
          { header: 'URL' },
          { header: 'PROJECT' },
          { header: 'PM' },
          { header: 'STRATEGY' },
          { header: 'KEY' },
          { header: 'LAST RUN', flex: true },
        ],
        rows.map((r) => [
          r.name,
          r.kind,
          r.url,
          r.project,
          r.pm_project ?? '(only project)',
          r.strategy,
          r.key === 'missing' ? `missing (${keyVariable(r.kind)})` : r.key,
          r.last_run ? `${r.last_run.status} ${r.last_run.finished_at ?? ''}` : 'never',
        ]),
      );
    });
}

function describeKey(source: string, kind: string, name: string): string {
  if (source === 'env') return `from ${keyVariable(kind)}`;
  if (source === 'secrets') return 'in .pm/secrets.toml (not tracked by git)';
  return `missing: set ${keyVariable(kind)}, or run pm connect --name ${name} --api-key-stdin`;
}
