import type { Command } from 'commander';
import { shortId } from '../../domain/index.js';
import { example, integer, jsonOption } from '../options.js';
import type { Session } from '../session.js';

interface AuditOptions {
  action?: string;
  actor?: string;
  entityType?: string;
  entityId?: string;
  limit?: number;
  offset?: number;
  json?: boolean;
}

/** `pm audit`: the audit log of the local database, newest first (what GET /api/v1/audit answers). */
export function registerAudit(program: Command, session: Session): void {
  const out = session.out;
  program
    .command('audit')
    .description('the audit log, newest first: sync runs, snapshot imports and exports, token changes')
    .option('--action <action>', 'only this action (snapshot_imported, token_created, sync_failed …)')
    .option('--actor <actor>', 'only what this actor did')
    .option('--entity-type <type>', 'only entries about this: sync_run, snapshot, token')
    .option('--entity-id <id>', 'only entries about this record (a sync run id, a token id)')
    .option('--limit <n>', 'at most this many (default 50)', integer('--limit', 1))
    .option('--offset <n>', 'skip this many', integer('--offset', 0))
    .addOption(jsonOption())
    .addHelpText('after', example('pm audit', 'pm audit --action snapshot_imported --json'))
    .action(async (opts: AuditOptions) => {
      const repo = (await session.workspace({ sync: 'off' })).store.sync;
      const filters = {
        ...(opts.action ? { action: opts.action } : {}),
        ...(opts.actor ? { actor: opts.actor } : {}),
        ...(opts.entityType ? { entityType: opts.entityType } : {}),
        ...(opts.entityId ? { entityId: opts.entityId } : {}),
      };
      const limit = opts.limit ?? 50;
      const offset = opts.offset ?? 0;
      const items = await repo.listAudit({ ...filters, limit, offset });
      if (opts.json) return out.json({ items, total: await repo.countAudit(filters), limit, offset });
      if (items.length === 0) return out.note('No audit entries.');
      out.table(
        [
          { header: 'WHEN' },
          { header: 'ACTOR' },
          { header: 'ACTION' },
          { header: 'OF' },
          { header: 'FROM' },
          { header: 'DETAILS', flex: true },
        ],
        items.map((e) => [
          out.when(e.at),
          e.actor,
          e.action,
          `${e.entity_type}${e.entity_id ? ` ${shortId(e.entity_id)}` : ''}`,
          e.source_ip ?? 'this machine',
          JSON.stringify(e.details),
        ]),
      );
    });
}
