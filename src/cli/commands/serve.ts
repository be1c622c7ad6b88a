import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, ValidationError, everySeconds, shortId } from '../../domain/index.js';
import type { ConnectionInfo, ServerSettings } from '../../server/index.js';
import { TOKEN_SCOPES, isPostgresUrl, openStore, type Store, type TokenScope } from '../../store/index.js';
import { SyncEngine, SyncScheduler, type ScaleOutOptions } from '../../sync/index.js';
import {
  connectionsOf,
  databaseTarget,
  doneStatuses,
  keySource,
  resolveActor,
  resolveConnection,
  type Config,
  type WorkspacePaths,
} from '../../workspace/index.js';
import { choiceOption, example, integer, jsonOption, list } from '../options.js';
import type { Session } from '../session.js';

const DEFAULT_PORT = 4400;

/** `--database`: a postgres:// URL as it is, a SQLite file relative to where pm runs. */
export function databaseOption(session: Session, value: string): string {
  return isPostgresUrl(value) || isAbsolute(value) ? value : resolve(session.io.cwd, value);
}

function settingsFrom(config: Config, loopback: boolean, allowHosts: string[], defaults: ServerSettings): ServerSettings {
  const server = config.server ?? {};
  return {
    ...defaults,
    requireToken: !loopback || (server.require_token ?? defaults.requireToken),
    allowedHosts: [...(server.allowed_hosts ?? []), ...allowHosts],
    ...(server.max_import_mb !== undefined ? { importLimit: Math.round(server.max_import_mb * 1024 * 1024) } : {}),
    ...(server.sync_requests_per_minute !== undefined ? { syncRequestsPerMinute: server.sync_requests_per_minute } : {}),
  };
}

/** The connections as the sync dashboard lists them, with when the scheduler runs them next. */
function connectionInfos(
  config: Config,
  paths: WorkspacePaths,
  env: NodeJS.ProcessEnv,
  scheduler: SyncScheduler,
): () => ConnectionInfo[] {
  return () =>
    connectionsOf(config).map(([name, c]) => {
      const every = c.every === undefined ? undefined : everySeconds(c.every);
      return {
        name,
        kind: c.kind,
        url: c.url ?? '',
        project: c.project ?? '',
        pm_project: c.pm_project ?? null,
        strategy: c.strategy ?? 'manual',
        key: keySource(paths, env, name, c.kind),
        every_ms: every === undefined ? null : every * 1000,
        next_run_at: scheduler.nextRunAt(name),
      };
    });
}

/** Scale-out settings (`[server] batch_size`, `lease_seconds`, or `--lease`): PostgreSQL only. */
export function scaleOutOf(config: Config, store: Store, leaseSeconds?: number): ScaleOutOptions {
  if (store.dialect !== 'postgres') {
    throw new ConfigError(
      'config_invalid',
      'scale-out needs PostgreSQL: processes share sync runs through its job queue (--database postgres://… or PM_DATABASE_URL)',
    );
  }
  const server = config.server ?? {};
  const lease = leaseSeconds ?? server.lease_seconds;
  return {
    ...(server.batch_size !== undefined ? { batchSize: server.batch_size } : {}),
    ...(lease !== undefined ? { leaseMs: lease * 1000 } : {}),
  };
}

/**
 * Resolves on the first SIGINT or SIGTERM. A second one ends the process at once, after
 * `atOnce` (which must be synchronous), with the usual code for that signal.
 */
export function untilSignal(atOnce: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolvePromise) => {
    const second = (signal: NodeJS.Signals) => {
      atOnce();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    };
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      process.once('SIGINT', second);
      process.once('SIGTERM', second);
      resolvePromise(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}

/** Why the server could not listen, naming the flag to change; other errors as they are. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const at = `${host}:${port}`;
  const problems: Record<string, { path: string; message: string }> = {
    EADDRINUSE: { path: '--port', message: `${at} is in use: pick another port, or --port 0 for any free one` },
    EACCES: { path: '--port', message: `not allowed to listen on ${at} (ports below 1024 need privileges): pick another` },
    EADDRNOTAVAIL: { path: '--host', message: `${host} is not an address of this machine` },
    ENOTFOUND: { path: '--host', message: `${JSON.stringify(host)} is not a known host name or address` },
  };
  const problem = code !== undefined && Object.hasOwn(problems, code) ? problems[code] : undefined;
  return problem ? new ValidationError([problem]) : error;
}

export function registerServe(program: Command, session: Session): void {
  const out = session.out;

  program
    .command('serve')
    .description("serve this repository's data over HTTP: the web UI, the REST API, bulk sync and an OpenAPI document")
    .option('--port <n>', `port to listen on; 0 picks a free one (default ${DEFAULT_PORT})`, integer('--port', 0, 65535))
    .option('--host <addr>', 'address to listen on (default 127.0.0.1; any other requires tokens)')
    .option(
      '--allow-host <name>',
      'a host name besides localhost/127.0.0.1/[::1] that clients may reach this server by (repeatable, or a,b)',
      list,
    )
    .option('--database <url>', 'postgres://… or a SQLite file (default: PM_DATABASE_URL, else .pm/data.db)')
    .option(
      '--scale-out',
      'PostgreSQL: share the database with other such servers and pm worker processes, which push the batches sync runs are split into ([server] scale_out)',
    )
    .option('--work-batches', 'with --scale-out: push batches here too, not only in pm worker ([server] work_batches)')
    .addHelpText(
      'after',
      `${example('pm serve', 'pm serve --port 8080 --host 0.0.0.0', 'pm serve --database postgres://pm@db/pm --scale-out')}
Writes .pm/server.json ({ url, pid }) while it runs; one server per database unless they scale
out (docs/scale-out.md). Stop it with Ctrl-C or SIGTERM: requests in flight finish first.
API: /api/v1 (see /api/v1/openapi.json).
`,
    )
    .action(
      async (opts: {
        port?: number;
        host?: string;
        database?: string;
        allowHost?: string[];
        scaleOut?: boolean;
        workBatches?: boolean;
      }) => {
        const ws = await session.workspace(opts.database ? { sync: 'off' } : {});
        const server = await import('../../server/index.js');
        const target = opts.database ? databaseOption(session, opts.database) : databaseTarget(ws.paths, session.io.env);
        const store = opts.database ? await openStore(target) : ws.store;
        try {
          const host = opts.host ?? '127.0.0.1';
          const settings = settingsFrom(ws.config, server.isLoopback(host), opts.allowHost ?? [], server.DEFAULT_SETTINGS);
          const log = (message: string) => out.note(`pm serve: ${message}`);
          const works = opts.workBatches ?? ws.config.server?.work_batches ?? false;
          const scaleOut =
            (opts.scaleOut ?? ws.config.server?.scale_out ?? works) ? { ...scaleOutOf(ws.config, store), works } : undefined;
          const sync = new SyncEngine({
            store,
            connections: (name) => resolveConnection(ws.paths, session.io.env, ws.config, name),
            log,
            ...(scaleOut ? { scaleOut } : {}),
          });
          const scheduled = connectionsOf(ws.config).flatMap(([name, c]) => {
            const seconds = c.every === undefined ? undefined : everySeconds(c.every);
            return seconds === undefined ? [] : [{ name, everyMs: seconds * 1000 }];
          });
          const scheduler = new SyncScheduler(sync, scheduled, { log });
          const port = opts.port ?? DEFAULT_PORT;
          const running = await server
            .startServer({
              store,
              target,
              paths: ws.paths,
              host,
              port,
              settings,
              clock: ws.clock,
              doneStatuses: doneStatuses(ws.config),
              actor: () => ws.actor,
              sync,
              scaleOut: scaleOut !== undefined,
              connections: connectionInfos(ws.config, ws.paths, session.io.env, scheduler),
              logger: {
                // JSON lines only when asked (PM_LOG_LEVEL=info); by default warnings and errors alone.
                level: session.io.env.PM_LOG_LEVEL ?? 'warn',
                stream: { write: (line: string) => session.io.stderr.write(line) },
              },
            })
            .catch((error: unknown) => {
              throw listenError(error, host, port);
            });
          await scheduler.start();
          if (scaleOut?.works) void sync.work();
          // Handlers first: whoever reads the line below may signal at once.
          const signalled = untilSignal(() => running.abandon());
          out.line(
            `pm serve: listening on ${running.url} (${store.dialect}: ${store.location})${scaleOut ? `, scaling out${works ? ' and pushing batches' : ''}` : ''}`,
          );
          out.note(`web UI: ${running.url}/`);
          if (!settings.requireToken) {
            out.note(out.c.dim('no token needed on loopback ([server] require_token = true in .pm/config.toml to require one)'));
          } else if (!(await store.listTokens()).some((t) => t.revoked_at === null)) {
            out.note(
              `${out.c.yellow('warning:')} every request needs a token and there is none yet: pm token create --scope write`,
            );
          }
          if (!server.isLoopback(host)) {
            out.note(
              `${out.c.yellow('warning:')} plain HTTP beyond loopback: put TLS in front (a reverse proxy), or tokens travel in clear text`,
            );
          }
          const signal = await signalled;
          out.note(`pm serve: ${signal}: finishing requests in flight (a second ${signal} stops at once)`);
          scheduler.stop();
          await running.close();
          out.note('pm serve: stopped');
        } finally {
          if (store !== ws.store) await store.close();
        }
      },
    );

  const token = program.command('token').description('bearer tokens for pm serve (stored hashed in the database)');
  const withStore = async <T>(database: string | undefined, use: (store: Store) => Promise<T>): Promise<T> => {
    if (!database) return use((await session.workspace({ sync: 'off' })).store);
    const store = await openStore(databaseOption(session, database));
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };

  token
    .command('create')
    .description('create a token; its secret is printed once and cannot be shown again')
    .addOption(choiceOption('--scope <scope>', 'read may only read', TOKEN_SCOPES).makeOptionMandatory())
    .option('--name <name>', 'what the token is for; also the actor of requests that name none (default: you)')
    .option('--database <url>', 'the database the server uses, when not the default')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example('pm token create --scope write --name ci', 'PM_TOKEN=$(pm token create --scope read) pm --server …'),
    )
    .action(async (opts: { scope: TokenScope; name?: string; database?: string; json?: boolean }) => {
      const scope = opts.scope;
      const ws = opts.database ? undefined : await session.workspace({ sync: 'off' });
      const actor = ws?.actor ?? resolveActor(session.io.env, session.io.cwd);
      const name = (opts.name ?? actor).trim();
      if (name === '' || name.length > 200) throw new ValidationError([{ path: '--name', message: 'expected 1-200 characters' }]);
      const { createToken } = await import('../../server/index.js');
      const created = await withStore(opts.database, (store) =>
        createToken(store, { name, scope, actor, clock: session.clock, log: (m) => out.note(m) }),
      );
      if (opts.json) return out.json({ ...created.token, secret: created.secret });
      out.line(created.secret);
      out.note(
        `Created ${scope} token ${shortId(created.token.id)} "${name}". This is the only time its secret is shown: keep it in PM_TOKEN or a secret store.`,
      );
    });

  token
    .command('list')
    .description('list tokens (never their secrets), revoked ones included')
    .option('--database <url>', 'the database the server uses, when not the default')
    .addOption(jsonOption())
    .addHelpText('after', example('pm token list'))
    .action(async (opts: { database?: string; json?: boolean }) => {
      const tokens = await withStore(opts.database, (store) => store.listTokens());
      if (opts.json) return out.json(tokens);
      if (tokens.length === 0) return out.note('No tokens: pm token create --scope read|write');
      out.table(
        [{ header: 'ID' }, { header: 'NAME', flex: true }, { header: 'SCOPE' }, { header: 'CREATED' }, { header: 'STATUS' }],
        tokens.map((t) => [
          shortId(t.id),
          t.name,
          t.scope,
          `${out.when(t.created_at)} by ${t.created_by}`,
          t.revoked_at ? `revoked ${out.when(t.revoked_at)}` : 'active',
        ]),
      );
    });

  token
    .command('revoke')
    .description('revoke a token: it stops working at once, also on a running server')
    .argument('<id>', 'token id (or the tail pm token list shows)')
    .option('--database <url>', 'the database the server uses, when not the default')
    .addOption(jsonOption())
    .addHelpText('after', example('pm token revoke 3f9a1b2c4d5e'))
    .action(async (id: string, opts: { database?: string; json?: boolean }) => {
      const { revokeToken } = await import('../../server/index.js');
      const actor = resolveActor(session.io.env, session.io.cwd);
      const revoked = await withStore(opts.database, (store) =>
        revokeToken(store, id, { actor, clock: session.clock, log: (m) => out.note(m) }),
      );
      if (opts.json) return out.json(revoked);
      out.line(`Revoked token ${shortId(revoked.id)} "${revoked.name}"`);
    });
}
