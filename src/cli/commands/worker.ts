import type { Command } from 'commander';
import { openStore } from '../../store/index.js';
import { SyncEngine } from '../../sync/index.js';
import { resolveConnection } from '../../workspace/index.js';
import { example, integer } from '../options.js';
import type { Session } from '../session.js';
import { databaseOption, scaleOutOf, untilSignal } from './serve.js';

export function registerWorker(program: Command, session: Session): void {
  const out = session.out;

  program
    .command('worker')
    .description(
      'push the batches of sync runs that scale-out servers on the same PostgreSQL split up, until stopped (docs/scale-out.md)',
    )
    .option('--database <url>', 'postgres://… (default: PM_DATABASE_URL)')
    .option(
      '--lease <seconds>',
      'how long a batch stays claimed when its worker stops renewing the claim ([server] lease_seconds, default 30)',
      integer('--lease', 1),
    )
    .addHelpText(
      'after',
      `${example('PM_DATABASE_URL=postgres://pm@db/pm pm worker', 'pm worker --database postgres://pm@db/pm --lease 10')}
Takes batches of runs that pm serve --scale-out started, with the connections and keys of this
repository. Stop it with Ctrl-C or SIGTERM: the batch in hand stops at its next record and is
left to another worker; a worker killed outright loses its claim when the lease runs out.
`,
    )
    .action(async (opts: { database?: string; lease?: number }) => {
      const ws = await session.workspace(opts.database ? { sync: 'off' } : {});
      const store = opts.database ? await openStore(databaseOption(session, opts.database)) : ws.store;
      try {
        const engine = new SyncEngine({
          store,
          connections: (name) => resolveConnection(ws.paths, session.io.env, ws.config, name),
          log: (message) => session.io.stderr.write(`pm worker: ${message}\n`),
          scaleOut: scaleOutOf(ws.config, store, opts.lease),
        });
        // Handlers first: whoever reads the line below may signal at once.
        const signalled = untilSignal(() => undefined);
        const working = engine.work();
        out.line(`pm worker: working sync batches (${store.dialect}: ${store.location})`);
        const signal = await signalled;
        out.note(`pm worker: ${signal}: stopping the batch in hand`);
        await engine.stop();
        await working;
        out.note('pm worker: stopped');
      } finally {
        if (store !== ws.store) await store.close();
      }
    });
}
