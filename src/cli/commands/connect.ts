import type { Command } from 'commander';
import { CONFLICT_STRATEGIES, ValidationError, isOneOf } from '../../domain/index.js';
import { CONNECTOR_KINDS, createConnector } from '../../sync/index.js';
import {
  connectionsOf,
  everySeconds,
  keySource,
  keyVariable,
  pickConnection,
  readConfig,
  resolveConnection,
  saveConnection,
  saveSecret,
  type ConnectionConfig,
} from '../../workspace/index.js';
import { example, integer, jsonOption } from '../options.js';
import type { Session } from '../session.js';

interface ConnectOptions {
  name?: string;
  url?: string;
  project?: string;
  pmProject?: string;
  mapType?: string;
  mapStatus?: string;
  strategy?: string;
  activity?: string;
  workers?: number;
  rateLimit?: number;
  timeout?: number;
  every?: string;
  apiKeyStdin?: boolean;
  check?: boolean;
  json?: boolean;
}

function everyOption(text: string): string {
  if (everySeconds(text) === undefined)
    throw new ValidationError([
      { path: '--every', message: `expected a duration of at least 1m, like 15m or 1h, got ${JSON.stringify(text)}` },
    ]);
  return text;
}

/** `epic=Feature,story=Support` → { epic: 'Feature', story: 'Support' }. */
function parsePairs(option: string, text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1)
      throw new ValidationError([
        {
          path: option,
          message: `expected pm=remote pairs separated by commas (e.g. epic=Feature), got ${JSON.stringify(pair)}`,
        },
      ]);
    map[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return map;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerConnect(program: Command, session: Session): void {
  const out = session.out;
  program
    .command('connect')
    .description('connect this repository to a remote tracker (settings in config.toml, the key kept out of git)')
    .argument('[kind]', `tracker kind: ${CONNECTOR_KINDS.join(', ')}`)
    .option('--name <name>', 'the connection name (default: the kind)')
    .option('--url <url>', "the tracker's base URL")
    .option('--project <id>', 'the remote project (Redmine: its identifier)')
    .option('--pm-project <key>', 'the pm project it syncs (default: the only project)')
    .option('--map-type <pairs>', 'pm item types to remote types, e.g. epic=Feature,story=Support,task=Bug')
    .option('--map-status <pairs>', 'pm statuses to remote statuses, e.g. "todo=New,in_progress=In Progress,done=Closed"')
    .option('--strategy <strategy>', `same field changed on both sides: ${CONFLICT_STRATEGIES.join(' | ')} (default manual)`)
    .option('--activity <name>', 'Redmine: the time entry activity for time pushed from pm')
    .option(
      '--workers <n>',
      'remote requests in flight at once (default 1; more for a Redmine on several processes)',
      integer('--workers', 1),
    )
    .option('--rate-limit <n>', 'remote requests a second at most, 0 for no limit (default 100)', integer('--rate-limit', 0))
    .option('--timeout <ms>', 'give up on a request after this long (default 15000)', integer('--timeout', 100))
    .option('--every <duration>', 'pm serve syncs it on its own this often, e.g. 15m or 1h ("off" to stop)')
    .option('--api-key-stdin', 'read the API key from stdin and keep it in .pm/secrets.toml')
    .option('--check', 'check the URL, the key and the project now')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'PM_REDMINE_API_KEY=… pm connect redmine --url http://localhost:3000 --project web --check',
        'pm connect redmine --map-status review=Feedback --strategy newest_wins',
        'pass | pm connect redmine --url https://redmine.example.com --project web --api-key-stdin',
        'pm connect --check',
      ),
    )
    .action(async (kind: string | undefined, opts: ConnectOptions) => {
      const ws = await session.workspace({ sync: 'off' });
      const editing = kind !== undefined || opts.url !== undefined || opts.project !== undefined;
      let name = opts.name;
      if (editing) {
        name ??= kind;
        const existing = name !== undefined ? ws.config.connections?.[name] : undefined;
        const connectionKind = kind ?? existing?.kind;
        if (!connectionKind || !CONNECTOR_KINDS.includes(connectionKind)) {
          throw new ValidationError([
            {
              path: 'kind',
              message: `expected one of ${CONNECTOR_KINDS.join(', ')}${connectionKind ? `, got ${JSON.stringify(connectionKind)}` : ''}`,
            },
          ]);
        }
        name ??= connectionKind;
        if (opts.strategy !== undefined && !isOneOf(CONFLICT_STRATEGIES, opts.strategy)) {
          throw new ValidationError([
            {
              path: '--strategy',
              message: `expected one of ${CONFLICT_STRATEGIES.join(', ')}, got ${JSON.stringify(opts.strategy)}`,
            },
          ]);
        }
        const url = opts.url ?? existing?.url;
        const project = opts.project ?? existing?.project;
        if (!url)
          throw new ValidationError([{ path: '--url', message: "the tracker's base URL is required for a new connection" }]);
        if (!project)
          throw new ValidationError([{ path: '--project', message: 'the remote project is required for a new connection' }]);
        const connection: ConnectionConfig = {
          ...existing,
          kind: connectionKind,
          url,
          project,
          ...(opts.pmProject !== undefined ? { pm_project: opts.pmProject.toUpperCase() } : {}),
          ...(opts.strategy !== undefined ? { strategy: opts.strategy } : {}),
          ...(opts.mapType !== undefined ? { map_type: parsePairs('--map-type', opts.mapType)! } : {}),
          ...(opts.mapStatus !== undefined ? { map_status: parsePairs('--map-status', opts.mapStatus)! } : {}),
          ...(opts.activity !== undefined ? { activity: opts.activity } : {}),
          ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
          ...(opts.rateLimit !== undefined ? { rate_limit: opts.rateLimit } : {}),
          ...(opts.timeout !== undefined ? { timeout_ms: opts.timeout } : {}),
          ...(opts.every !== undefined && opts.every !== 'off' ? { every: everyOption(opts.every) } : {}),
        };
        if (opts.every === 'off') delete connection.every;
        saveConnection(ws.paths, name, connection);
        if (opts.apiKeyStdin) {
          const key = await readStdin();
          if (!key) throw new ValidationError([{ path: '--api-key-stdin', message: 'stdin was empty: pipe the API key in' }]);
          saveSecret(ws.paths, name, key);
        }
      } else if (opts.apiKeyStdin) {
        name = pickConnection(ws.config, name)[0];
        saveSecret(ws.paths, name, await readStdin());
      } else if (!opts.check) {
        throw new ValidationError([
          {
            path: 'kind',
            message: 'say which tracker: pm connect redmine --url URL --project ID (or --check an existing connection)',
          },
        ]);
      }

      const config = readConfig(ws.paths.config);
      const [connectionName, connection] = pickConnection(config, name);
      const source = keySource(ws.paths, session.io.env, connectionName, connection.kind);
      let check: { account: string; notes: string[] } | undefined;
      if (opts.check) {
        const settings = resolveConnection(ws.paths, session.io.env, config, connectionName);
        const connector = await createConnector({ ...settings, localStatuses: [] });
        check = await connector.check();
      }
      if (opts.json) return out.json({ name: connectionName, ...connection, key: source, ...(check ? { check } : {}) });
      if (editing)
        out.line(
          `Connection ${connectionName} (${connection.kind} ${connection.url}, project ${connection.project}) saved in .pm/config.toml`,
        );
      out.line(`API key: ${describeKey(source, connection.kind, connectionName)}`);
      if (check) {
        out.line(`Checked: signed in as ${check.account}; project ${connection.project} found`);
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
            strategy: c.strategy ?? 'manual',
            key: keySource(ws.paths, session.io.env, name, c.kind),
            last_run: last ? { id: last.id, status: last.status, finished_at: last.finished_at } : null,
          };
        }),
      );
      if (opts.json) return out.json(rows);
      if (rows.length === 0) return out.note('No connections yet: pm connect redmine --url URL --project ID');
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
