import type { Command } from 'commander';
import type { ImportResult } from '../../sync/index.js';
import { example, jsonOption, quietOption } from '../options.js';
import type { Session } from '../session.js';
import { printImport } from './sync.js';

type Direction = 'push' | 'pull';

/** `pm sync push URL` and `pm sync pull URL` (issue 5), added to the `sync` command. */
export function registerSyncRemote(sync: Command, session: Session): void {
  const out = session.out;
  const run = async (direction: Direction, url: string, opts: { dryRun?: boolean; json?: boolean }) => {
    const ws = await session.workspace({ sync: 'strict' });
    const client = await import('../../client/index.js');
    const token = session.io.env.PM_TOKEN?.trim();
    const http = new client.HttpClient({ url, ...(token ? { token } : {}), actor: () => ws.actor });
    const remote = { store: ws.store, paths: ws.paths, client: http, dryRun: opts.dryRun ?? false };
    const result: ImportResult = direction === 'push' ? await client.pushTo(remote) : await client.pullFrom(remote);
    if (opts.json) return out.json(result);
    out.line(direction === 'push' ? `Pushed to ${http.server}; the server's import:` : `Pulled from ${http.server}:`);
    printImport(out, result);
  };

  sync
    .command('push')
    .description("merge this repository's data into a pm server's (three-way against the last exchange with it)")
    .argument('<url>', 'the pm server, e.g. http://127.0.0.1:4400')
    .option('--dry-run', "work out what the server's import would do, change nothing")
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example('pm sync push http://pm.internal:4400', 'PM_TOKEN=… pm sync push https://pm.example.com --json'),
    )
    .action((url: string, opts: { dryRun?: boolean; json?: boolean }) => run('push', url, opts));

  sync
    .command('pull')
    .description("merge a pm server's data into this repository's (three-way against the last exchange with it)")
    .argument('<url>', 'the pm server, e.g. http://127.0.0.1:4400')
    .option('--dry-run', 'work out what the import would do, change nothing')
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm sync pull http://pm.internal:4400'))
    .action((url: string, opts: { dryRun?: boolean; json?: boolean }) => run('pull', url, opts));
}
