import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { ENTITY_TYPES, ValidationError, toTimestamp, type EntityType } from '../../domain/index.js';
import {
  META_EXPORTED_SEQ,
  audit,
  audited,
  exportPending,
  exportSnapshot,
  fileHash,
  ignoredBy,
  importSnapshotFile,
  runQueuedExport,
  snapshotChanged,
  workTree,
  writeSnapshot,
  type AuditSource,
  type ImportResult,
} from '../../sync/index.js';
import { findWorkspace } from '../../workspace/index.js';
import { installGitHooks } from '../git-setup.js';
import { example, jsonOption, quietOption } from '../options.js';
import { progressBar } from '../output/progress.js';
import type { Output } from '../output/output.js';
import type { Session } from '../session.js';
import { VERSION } from '../../version.js';
import { registerSyncRemote } from './sync-remote.js';
import { registerSyncRuns } from './sync-runs.js';

/** This process as the audit log names it: the local actor, no address, pm's own user agent. */
function cliAuditSource(session: Session, ws: { actor: string }): AuditSource {
  return {
    actor: ws.actor,
    at: toTimestamp(session.clock()),
    user_agent: `pm/${VERSION} (cli)`,
    log: (message) => session.out.note(message),
  };
}

export function registerSync(program: Command, session: Session): void {
  const out = session.out;
  const sync = program
    .command('sync')
    .description('exchange data: the snapshot file (.pm/data.json), servers, trackers')
    .hook('preAction', (_sync, command) => {
      if (command.opts<{ quiet?: boolean }>().quiet) out.quiet = true;
    });

  sync
    .command('init')
    .description('set up git for .pm/data.json: the merge driver and the hooks (the same as pm hooks install)')
    .addOption(quietOption())
    .addHelpText('after', example('pm sync init'))
    .action(() => installGitHooks(session));

  sync
    .command('export')
    .description('write every record to .pm/data.json (or a file, or - for stdout), in canonical form')
    .option('-o, --output <file>', 'where to write; - for stdout (default .pm/data.json)')
    .option('--force', 'overwrite .pm/data.json even when it holds changes pm cannot take in')
    .addOption(
      new Option(
        '--pending',
        'only if .pm/data.json is not current (changes it lacks, the unexported mark), after any export under way',
      ).conflicts(['output', 'force']),
    )
    .addOption(new Option('--queued', 'the background export auto_export starts').hideHelp().conflicts(['output', 'force']))
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'pm sync export',
        'pm sync export --pending',
        'pm sync export --output backup.json',
        'pm sync export -o - | gzip > backup.json.gz',
      ),
    )
    .action(async (opts: { output?: string; force?: boolean; pending?: boolean; queued?: boolean; json?: boolean }) => {
      if (opts.queued) {
        session.autoExport = false;
        // Queued before anything else, and no take-in: a file that needs one fails the export.
        const paths = findWorkspace(session.io.cwd, session.io.env);
        await runQueuedExport(paths, async () => (await session.workspace({ sync: 'off' })).store);
        return;
      }
      const ws = await session.workspace({ sync: opts.force ? 'auto' : 'strict' });
      const exported = (file: string, details: Record<string, unknown> = {}) =>
        audit(ws.store, cliAuditSource(session, ws), {
          action: 'snapshot_exported',
          entity_type: 'snapshot',
          entity_id: null,
          details: { file, ...details },
        });
      if (opts.output === '-') {
        await writeSnapshot(ws.store, { write: (chunk) => writeTo(session.io.stdout, chunk) });
        await exported('stdout');
        return;
      }
      const output = opts.output === undefined ? ws.paths.snapshot : resolve(session.io.cwd, opts.output);
      if (opts.output !== undefined) checkFolder(dirname(output), '--output');
      const result = opts.pending
        ? await exportPending(ws.store, ws.paths)
        : await exportSnapshot(ws.store, ws.paths, output, { force: opts.force ?? false });
      if (!result) {
        if (opts.json) return out.json({ file: output, written: false });
        return out.line(`${relative(session.io.cwd, output) || output} is up to date`);
      }
      await exported(relative(session.io.cwd, output) || output, { sha256: result.hash, bytes: result.bytes });
      const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
      // A patched file is not hashed on the way (see exportSnapshot): hashed here when asked.
      if (opts.json) {
        return out.json({
          file: output,
          written: true,
          bytes: result.bytes,
          sha256: result.hash || fileHash(output),
          counts: result.counts,
        });
      }
      out.line(
        `Exported ${total} records to ${relative(session.io.cwd, output) || output} (${(result.bytes / 1048576).toFixed(1)} MiB)`,
      );
    });

  sync
    .command('import')
    .description('merge a snapshot into the database (or --replace it); validates everything before writing anything')
    .argument('[file]', 'snapshot to read; - for stdin (default .pm/data.json)')
    .option('-f, --file <file>', 'the same as the [file] argument')
    .addOption(new Option('--merge', 'merge into what the database holds (the default)').conflicts('replace'))
    .option('--replace', 'make the database exactly the file (refused while there are unexported changes)')
    .option('--force', 'with --replace: discard unexported changes')
    .option('--dry-run', 'work out and print the result, write nothing')
    .option('--skip-invalid', 'import the valid records and leave the invalid ones out (see --rejects)')
    .option('--rejects <file>', 'with --skip-invalid: write the records left out, with the reasons, to this file')
    .addOption(quietOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      example(
        'pm sync import',
        'pm sync import backup.json --dry-run',
        'pm sync import --file backup.json --quiet',
        'pm sync import teammate.json --skip-invalid --rejects rejects.json',
      ),
    )
    .action(
      async (
        argument: string | undefined,
        opts: {
          file?: string;
          replace?: boolean;
          force?: boolean;
          dryRun?: boolean;
          skipInvalid?: boolean;
          rejects?: string;
          json?: boolean;
        },
      ) => {
        if (argument !== undefined && opts.file !== undefined && argument !== opts.file)
          throw new ValidationError([{ path: '--file', message: `two files given: ${argument} and --file ${opts.file}` }]);
        const file = argument ?? opts.file;
        const ws = await session.workspace({ sync: 'off' });
        let path = file === undefined ? ws.paths.snapshot : resolve(session.io.cwd, file);
        // Another file's records are merged into what the tracked snapshot holds, then exported with it.
        if (path !== ws.paths.snapshot) await session.takeInSnapshot(ws, false);
        let spooled: string | undefined;
        if (file === '-') {
          mkdirSync(ws.paths.tmp, { recursive: true });
          spooled = path = join(ws.paths.tmp, `stdin-${process.pid}.json`);
          await pipeline(process.stdin, createWriteStream(spooled));
        }
        const bar = opts.json ? undefined : progressBar(session, 'importing');
        const label = file === '-' ? 'stdin' : (file ?? relative(session.io.cwd, ws.paths.snapshot));
        const mode = opts.replace ? 'replace' : 'merge';
        const dryRun = opts.dryRun ?? false;
        try {
          const result = await audited(
            ws.store,
            () => cliAuditSource(session, ws),
            { file: label, mode, dry_run: dryRun },
            () =>
              importSnapshotFile(ws.store, ws.paths, path, {
                mode,
                force: opts.force ?? false,
                dryRun,
                skipInvalid: opts.skipInvalid ?? false,
                label,
                ...(bar ? { onProgress: bar.update } : {}),
              }),
          );
          bar?.stop();
          if (opts.rejects && result.rejected.length > 0) {
            writeFileSync(resolve(session.io.cwd, opts.rejects), `${JSON.stringify({ rejected: result.rejected }, null, 2)}\n`);
          }
          if (opts.json) return out.json(result);
          printImport(out, result);
          if (opts.rejects && result.rejected.length > 0)
            out.note(`${result.rejected.length} rejected record(s) written to ${opts.rejects}`);
        } finally {
          bar?.stop();
          if (spooled) rmSync(spooled, { force: true });
        }
      },
    );

  sync
    .command('status')
    .description('what is not in step: local changes not exported, a data.json not taken in, conflicts not resolved')
    .addOption(jsonOption())
    .addHelpText('after', example('pm sync status', 'pm sync status --json'))
    .action(async (opts: { json?: boolean }) => {
      const ws = await session.workspace({ sync: 'off' });
      const exported = Number((await ws.store.getMeta(META_EXPORTED_SEQ)) ?? 0);
      const unexported: Partial<Record<EntityType, number>> = {};
      for (const type of ENTITY_TYPES) {
        const n = await ws.store.countChangedSince(type, exported);
        if (n > 0) unexported[type] = n;
      }
      const snapshotAhead = await snapshotChanged(ws.store, ws.paths);
      const conflicts = await ws.store.count('conflicts', { where: { resolution: null } });
      const root = workTree(ws.paths.root);
      const ignored = root ? ignoredBy(root, ws.paths.snapshot) : undefined;
      const status = {
        unexported,
        snapshot: {
          path: ws.paths.snapshot,
          exists: existsSync(ws.paths.snapshot),
          not_taken_in: snapshotAhead,
          ignored_by: ignored ?? null,
        },
        unresolved_conflicts: conflicts,
      };
      if (opts.json) return out.json(status);
      if (ignored) out.line(`${out.c.yellow('warning:')} ${notCommitted(ignored)}`);
      const changes = Object.entries(unexported).map(([t, n]) => `${n} ${t}`);
      out.line(
        changes.length
          ? `Local changes not exported: ${changes.join(', ')} (pm sync export, or commit with the hooks)`
          : 'Local changes not exported: none',
      );
      out.line(
        !status.snapshot.exists
          ? '.pm/data.json: not written yet (pm sync export)'
          : snapshotAhead
            ? '.pm/data.json: has changes not taken in (pm sync import, or any pm command)'
            : '.pm/data.json: taken in',
      );
      out.line(`Unresolved conflicts: ${conflicts}${conflicts ? ' (pm conflicts)' : ''}`);
    });

  registerSyncRemote(sync, session);
  registerSyncRuns(sync, session);
}

/** Refuses a file to write in a folder that is not there, naming the flag and the folder (not the temp file a write would fail on). */
function checkFolder(folder: string, flag: string): void {
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(folder);
  } catch {
    stat = undefined; // not there, or a file part-way along the path
  }
  if (stat?.isDirectory()) return;
  throw new ValidationError([{ path: flag, message: `${stat ? 'not a folder' : 'no such folder'}: ${folder}` }]);
}

/** What to tell when git ignores data.json. */
export function notCommitted(rule: string): string {
  return `.pm/data.json is ignored by git (${rule}), so commits leave it out: pm init adds !data.json to .pm/.gitignore`;
}

function writeTo(stream: { write(chunk: Buffer): unknown }, chunk: Buffer): void | Promise<void> {
  if (stream.write(chunk) !== false) return;
  const emitter = stream as unknown as NodeJS.EventEmitter;
  if (typeof emitter.once !== 'function') return;
  return new Promise((resolve) => emitter.once('drain', () => resolve()));
}

export function printImport(out: Output, result: ImportResult): void {
  const replace = result.mode === 'replace' || ENTITY_TYPES.some((t) => result.counts[t].deleted > 0);
  const rejected = result.rejected.length > 0;
  const rows = ENTITY_TYPES.filter((t) => {
    const c = result.counts[t];
    return c.created + c.updated + c.unchanged + c.conflicts + c.deleted + c.rejected > 0 || t !== 'conflicts';
  }).map((t) => {
    const c = result.counts[t];
    return [
      t,
      c.created,
      c.updated,
      c.unchanged,
      c.conflicts,
      ...(replace ? [c.deleted] : []),
      ...(rejected ? [c.rejected] : []),
    ];
  });
  out.table(
    [
      { header: 'ENTITY' },
      { header: 'CREATED', align: 'right' },
      { header: 'UPDATED', align: 'right' },
      { header: 'UNCHANGED', align: 'right' },
      { header: 'CONFLICTS', align: 'right' },
      ...(replace ? [{ header: 'DELETED', align: 'right' as const }] : []),
      ...(rejected ? [{ header: 'REJECTED', align: 'right' as const }] : []),
    ],
    rows,
  );
  for (const r of result.renumbered) out.line(`renumbered ${r.key_before} → ${r.key_after} (another item has ${r.key_before})`);
  const conflicts = ENTITY_TYPES.reduce((n, t) => n + result.counts[t].conflicts, 0);
  if (conflicts > 0) out.note(`${conflicts} same-field conflict(s) decided by the newer write: see pm conflicts`);
  if (result.dry_run) out.note('dry run: nothing was written');
}
