import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlink,
  writeSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StateError, type EntityType } from '../../domain/index.js';
import { lockFile, withFileLock, type Store } from '../../store/index.js';
import { canonicalizeSnapshot } from './canonicalize.js';
import { syncDirectory, writeFileAtomically, writeSnapshot, writeSnapshotFile, type ExportResult } from './export.js';
import { importSnapshot, type ImportOptions, type ImportResult } from './import.js';
import { META_EXPORTED_SEQ, META_SNAPSHOT_HASH, META_SNAPSHOT_SIGNATURE } from './meta-keys.js';
import type { BaseLines } from './base.js';
import {
  byKey,
  planSplice,
  signatureOf,
  writePatchedFile,
  type ExportAnchor,
  type FileLayout,
  type RecordLine,
  type SplicePlan,
} from './splice.js';
import { snapshotLockPath } from './queue.js';
import { hasUnexportedChanges, snapshotUntouched, unexportedMarked } from './tracked.js';

/**
 * The snapshot a repository tracks (`.pm/data.json`) and what pm remembers about it: the copy
 * of the version it last wrote or read (the base of the next three-way merge), its hash (to
 * notice when git changed it) and the local change counter it included (to tell what is not
 * yet exported).
 */
export interface SnapshotPaths {
  snapshot: string;
  /** Where bases are kept: one file per peer. */
  bases: string;
}

const META_BASE_SIGNATURE = 'base_signature';
/** The lines exports wrote since the base file was kept, and its layout (a `BaseOverlay`). */
const META_BASE_OVERLAY = 'base_overlay';
/** The tracked snapshot as pm's last export wrote it (an `ExportAnchor`): what the next export patches. */
const META_EXPORT_ANCHOR = 'export_anchor';
/** The recorded hash of a snapshot an export patched: not hashed then (see `changedSinceRecorded`). */
const NOT_HASHED = '';

export function basePath(paths: SnapshotPaths, peer = 'data.json'): string {
  return join(paths.bases, peer);
}

function isSnapshot(paths: SnapshotPaths, file: string): boolean {
  return resolve(file) === resolve(paths.snapshot);
}

/** Identifies a file's current contents cheaply: inode, size and modification time. */
function signature(path: string): string {
  return signatureOf(statSync(path));
}

/**
 * Runs `fn` as the only one handling the tracked snapshot (exports, take-ins, marks) across
 * processes. Outside any database transaction: writers and readers of the database go on.
 */
function withSnapshotLock<T>(paths: SnapshotPaths, fn: () => Promise<T>): Promise<T> {
  return withFileLock(snapshotLockPath(paths), fn);
}

/**
 * Keeps `file` as the base for the next merge with that peer: a copy (a reflink where the file
 * system can). Never a hard link: that changes the tracked file's ctime, and git, in the middle
 * of a rebase, then takes the file for locally modified and stops. Returns the base's signature,
 * to notice if anything rewrites it later.
 */
export function keepBase(paths: SnapshotPaths, file: string, peer = 'data.json'): string {
  const temp = baseTemp(paths, peer);
  copyFileSync(file, temp, constants.COPYFILE_FICLONE);
  return placeBase(paths, temp, peer);
}

/** A fresh temporary path beside the base of that peer. */
function baseTemp(paths: SnapshotPaths, peer: string): string {
  const target = basePath(paths, peer);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}`;
  rmSync(temp, { force: true });
  return temp;
}

/**
 * Puts a base in place. The one it replaces keeps a name of its own until the next export
 * removes it in the background: freeing a large file's blocks takes the file system a while
 * (half a second for 150 MB is not rare), which a command should not wait for.
 */
function placeBase(paths: SnapshotPaths, temp: string, peer: string): string {
  const target = basePath(paths, peer);
  if (existsSync(target)) {
    try {
      linkSync(target, `${target}${RETIRED}${process.pid}-${Date.now()}`);
    } catch {
      // no links here: the rename frees it
    }
  }
  renameSync(temp, target);
  syncDirectory(dirname(target));
  return signature(target);
}

const RETIRED = '.retired-';

/** Removes the bases `placeBase` retired (by the last export or take-in), on libuv's thread pool, beside the work that follows. */
function removeRetiredBases(paths: SnapshotPaths): void {
  let names: string[];
  try {
    names = readdirSync(paths.bases);
  } catch {
    return;
  }
  for (const name of names) if (name.includes(RETIRED)) unlink(join(paths.bases, name), () => undefined);
}

/**
 * `keepBase` started early: the copy runs beside the import that reads `file` (copying a large
 * snapshot takes as long as a good part of the import), and `keep` puts it in place after. A
 * file that changed meanwhile is copied again, as `keepBase` would have.
 */
function keepBaseLater(paths: SnapshotPaths, file: string, peer = 'data.json') {
  const temp = baseTemp(paths, peer);
  const before = signature(file);
  const copied = copyFile(file, temp, constants.COPYFILE_FICLONE).then(
    () => true,
    () => false,
  );
  return {
    async keep(): Promise<string> {
      if (!(await copied) || signature(file) !== before) copyFileSync(file, temp, constants.COPYFILE_FICLONE);
      return placeBase(paths, temp, peer);
    },
    async abandon(): Promise<void> {
      await copied;
      rmSync(temp, { force: true });
    },
  };
}

/**
 * The base as the file pm last wrote in full plus the lines of the exports that patched
 * data.json since (each changed line, by id): the base is that file with those lines in place,
 * the bytes data.json had. `layout` is the file's, to place the lines (`writePatchedFile`).
 * Kept in the database, so it changes with the rest of what an export records.
 */
interface BaseOverlay {
  layout: FileLayout;
  lines: Partial<Record<EntityType, Record<string, string>>>;
  /** The lines' length, in characters. */
  size: number;
}

/**
 * Past this many characters of lines (some 2,000 records) an export writes the base file anew:
 * the overlay is written to the database at every export and held in memory by every take-in.
 */
const MOST_OVERLAY_SIZE = 1 << 20;

/** The overlay with `changed` lines put in, or undefined when it would grow too large. */
function grownOverlay(overlay: BaseOverlay, changed: ReadonlyMap<EntityType, readonly RecordLine[]>): BaseOverlay | undefined {
  const lines = { ...overlay.lines };
  let size = overlay.size;
  for (const [type, records] of changed) {
    const section = { ...lines[type] };
    for (const record of records) {
      const id = record.key.toString();
      size += record.json.length - (section[id]?.length ?? 0);
      section[id] = record.json;
    }
    lines[type] = section;
  }
  return size > MOST_OVERLAY_SIZE ? undefined : { layout: overlay.layout, lines, size };
}

function overlayLines(overlay: BaseOverlay | undefined): BaseLines | undefined {
  if (!overlay || overlay.size === 0) return undefined;
  return new Map(Object.entries(overlay.lines).map(([type, lines]) => [type as EntityType, new Map(Object.entries(lines))]));
}

/** The base's bytes: its file's, with the overlay's lines in place. */
function baseHash(base: UsableBase): string {
  const lines = overlayLines(base.overlay);
  if (!lines || !base.overlay) return fileHash(base.path);
  const hash = createHash('sha256');
  const changed = new Map(
    [...lines].map(([type, byId]) => [type, [...byId].map(([id, json]) => ({ key: Buffer.from(id), json })).sort(byKey)]),
  );
  writePatchedFile(base.path, base.overlay.layout, changed, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}

interface UsableBase {
  path: string;
  /** Absent for a base kept at a take-in: its file is all of it. */
  overlay?: BaseOverlay;
}

/** The kept base, if it is still the file pm kept; a base changed behind pm's back is not used. */
async function usableBase(store: Store, paths: SnapshotPaths): Promise<UsableBase | undefined> {
  const path = basePath(paths);
  if (!existsSync(path)) return undefined;
  if ((await store.getMeta(META_BASE_SIGNATURE)) !== signature(path)) return undefined;
  const overlay = await store.getMeta(META_BASE_OVERLAY);
  return overlay ? { path, overlay: JSON.parse(overlay) as BaseOverlay } : { path };
}

/**
 * Exports to `output` (default: the tracked snapshot, which also becomes the base). A tracked
 * snapshot that holds changes the database has not taken in (a take-in refused it) is not
 * overwritten — those are teammates' edits — unless `force`.
 *
 * The tracked snapshot is written from one read transaction, under the snapshot lock but
 * outside any write transaction, so writers do not wait for it; what it includes is recorded
 * after, in a short one. It is patched with the rows written since pm's last export wrote it
 * when that file is still in place (see `planSplice`), else written in full.
 *
 * The base follows without a copy when the file was patched: the lines written go to the
 * base's overlay (see `BaseOverlay`). Writing a 150 MB file is most of what an export costs,
 * and a second copy of it was as much again; a hard link instead would share the base with
 * editors that write data.json in place.
 */
export async function exportSnapshot(
  store: Store,
  paths: SnapshotPaths,
  output = paths.snapshot,
  options: { force?: boolean } = {},
): Promise<ExportResult> {
  if (!isSnapshot(paths, output)) return writeSnapshotFile(store, output);
  return withSnapshotLock(paths, () => exportTracked(store, paths, options.force ?? false));
}

/**
 * Exports the tracked snapshot unless it is current (it holds every change of the database, is
 * unmarked and untouched since pm wrote or read it), after any export under way: what a
 * background export and the pre-commit hook do. `whenLocked` runs once no other export can
 * start, before anything is read. Undefined when there was nothing to write; a file that holds
 * changes not taken in is refused as `exportSnapshot` refuses it.
 */
export async function exportPending(
  store: Store,
  paths: SnapshotPaths,
  whenLocked: () => void = () => undefined,
): Promise<ExportResult | undefined> {
  return withSnapshotLock(paths, async () => {
    whenLocked();
    const current =
      existsSync(paths.snapshot) &&
      !(await hasUnexportedChanges(store)) &&
      !unexportedMarked(paths) &&
      (await snapshotUntouched(store, paths));
    return current ? undefined : exportTracked(store, paths, false);
  });
}

/** `exportSnapshot` to the tracked snapshot, holding the snapshot lock. */
async function exportTracked(store: Store, paths: SnapshotPaths, force: boolean): Promise<ExportResult> {
  const output = paths.snapshot;
  if (!force && (await changedSinceRecorded(store, paths))) {
    throw new StateError(
      'snapshot_not_taken_in',
      `${paths.snapshot} has changes that are not taken in, and writing it would overwrite them: fix it (pm sync import lists every problem), or overwrite it with pm sync export --force`,
    );
  }
  removeRetiredBases(paths);
  const anchor = await exportAnchor(store);
  const plan = anchor && (await planSplice(store, output, anchor));
  try {
    const base = plan && (await usableBase(store, paths));
    const overlay = plan && base?.overlay && grownOverlay(base.overlay, plan.changed);
    retireSnapshot(paths);
    return overlay && plan ? await patchOnly(store, output, plan, overlay) : await writeWithBase(store, paths, output, plan);
  } finally {
    plan?.close();
  }
}

/** Writes the tracked snapshot patched, and only the changed lines for its base. */
async function patchOnly(store: Store, output: string, plan: SplicePlan, overlay: BaseOverlay): Promise<ExportResult> {
  let written = '';
  const result = await writeFileAtomically(
    output,
    (write) => Promise.resolve(plan.write(write)),
    (stat) => (written = signatureOf(stat)),
  );
  await recordExport(store, written, result, (tx) => tx.setMeta(META_BASE_OVERLAY, JSON.stringify(overlay)));
  return result;
}

/** Writes the tracked snapshot (patched or in full) and the base beside it, from the same bytes. */
async function writeWithBase(
  store: Store,
  paths: SnapshotPaths,
  output: string,
  plan: SplicePlan | undefined,
): Promise<ExportResult> {
  const baseFile = baseTemp(paths, 'data.json');
  const baseFd = openSync(baseFile, 'w', 0o644);
  let result: ExportResult;
  let written = '';
  try {
    result = await writeFileAtomically(
      output,
      async (write) => {
        const both = (chunk: Buffer) => {
          write(chunk);
          writeSync(baseFd, chunk);
        };
        return plan ? plan.write(both) : writeSnapshot(store, { write: both });
      },
      (stat) => (written = signatureOf(stat)),
    );
  } catch (error) {
    rmSync(baseFile, { force: true });
    throw error;
  } finally {
    closeSync(baseFd);
  }
  const base = placeBase(paths, baseFile, 'data.json');
  const overlay: BaseOverlay = { layout: { size: result.bytes, spans: result.spans, counts: result.counts }, lines: {}, size: 0 };
  await recordExport(store, written, result, async (tx) => {
    await tx.setMeta(META_BASE_SIGNATURE, base);
    await tx.setMeta(META_BASE_OVERLAY, JSON.stringify(overlay));
  });
  return result;
}

/**
 * Records what the export wrote (`signature`: the file's, taken before the rename): what the
 * next one patches, and the local changes it includes.
 */
async function recordExport(
  store: Store,
  signature: string,
  result: ExportResult,
  base: (tx: Store) => Promise<void>,
): Promise<void> {
  const written: ExportAnchor = {
    signature,
    size: result.bytes,
    changeSeq: result.changeSeq,
    removals: result.removals,
    spans: result.spans,
    counts: result.counts,
  };
  await store.write(async (tx) => {
    await base(tx);
    await tx.setMeta(META_SNAPSHOT_HASH, result.hash);
    await tx.setMeta(META_SNAPSHOT_SIGNATURE, written.signature);
    await tx.setMeta(META_EXPORT_ANCHOR, JSON.stringify(written));
    const known = Number((await tx.getMeta(META_EXPORTED_SEQ)) ?? 0);
    if (result.localSeq > known) await tx.setMeta(META_EXPORTED_SEQ, String(result.localSeq));
  });
}

/**
 * Gives the tracked snapshot a second name among the retired bases before an export replaces
 * it, so the rename does not wait for the file system to free its blocks (see `placeBase`).
 * Its ctime changes, but the file is about to be replaced anyway.
 */
function retireSnapshot(paths: SnapshotPaths): void {
  try {
    mkdirSync(paths.bases, { recursive: true });
    linkSync(paths.snapshot, `${basePath(paths)}${RETIRED}${process.pid}-${Date.now()}-tracked`);
  } catch {
    // no file yet, or no links here: the rename frees it
  }
}

/** What pm's last export wrote, if it is still the tracked snapshot. */
async function exportAnchor(store: Store): Promise<ExportAnchor | undefined> {
  const text = await store.getMeta(META_EXPORT_ANCHOR);
  if (text === undefined) return undefined;
  const anchor = JSON.parse(text) as ExportAnchor;
  return (await store.getMeta(META_SNAPSHOT_SIGNATURE)) === anchor.signature ? anchor : undefined;
}

/**
 * Marks the tracked snapshot as changed without writing it: one newline after its closing
 * brace (still the same JSON). With `auto_export` off, or before a background export lands, git
 * otherwise sees nothing to commit in a change made only in pm — `git commit -a` decides that
 * before the pre-commit hook exports the file — and `git status` would hide it. The next export
 * writes the file without the mark. A file holding changes not taken in is left alone.
 *
 * Before a background export: `flush: false`, as flushing a file an export has just written
 * waits for all of it to reach the disk, and `ifFree`, to mark only when no other process
 * holds the snapshot (the command would wait for an export under way).
 */
export async function markUnexported(
  store: Store,
  paths: SnapshotPaths,
  options: { flush?: boolean; ifFree?: boolean } = {},
): Promise<boolean> {
  if (!existsSync(paths.snapshot)) return false;
  if (!options.ifFree) return withSnapshotLock(paths, () => mark(store, paths, options.flush ?? true));
  const lock = lockFile(snapshotLockPath(paths), 0);
  if (!lock) return false;
  try {
    return await mark(store, paths, options.flush ?? true);
  } finally {
    lock.release();
  }
}

/** `markUnexported`, holding the snapshot lock. */
async function mark(store: Store, paths: SnapshotPaths, flush: boolean): Promise<boolean> {
  if (await changedSinceRecorded(store, paths)) return false;
  const fd = openSync(paths.snapshot, 'r+');
  let after: string;
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(2);
    readSync(fd, tail, 0, 2, Math.max(0, size - 2));
    if (tail.toString() === '\n\n') return false;
    writeSync(fd, '\n', size);
    if (flush) fsyncSync(fd);
    after = signatureOf(fstatSync(fd));
  } finally {
    closeSync(fd);
  }
  const anchor = await exportAnchor(store);
  await store.write(async (tx) => {
    // Its records are what was taken in or exported: no take-in needed for this.
    await tx.setMeta(META_SNAPSHOT_SIGNATURE, after);
    if (anchor) await tx.setMeta(META_EXPORT_ANCHOR, JSON.stringify({ ...anchor, signature: after }));
  });
  return true;
}

/**
 * Imports `file` (default: the tracked snapshot). Another file is merged in (nothing local is
 * lost) and what it brings counts as local changes, for the next export to write.
 *
 * The tracked snapshot is followed: **the database is the checked-out data.json plus the
 * edits made here that no export has written yet.** The base is the data.json pm last wrote
 * or read here; a record is edited here when it differs from its line in the base (without a
 * usable base: when a write stamped it after the last export). Per record:
 *
 * - not edited here: it becomes the file's, even when the file's is older — a `git revert`, an
 *   older data.json checked out, a `git stash`, a hand edit all mean what git says they mean;
 * - edited here: merged field by field, three-way against the base (a field one side changed
 *   takes that side; both: the later write, recorded as a conflict);
 * - gone from the file and not edited here, but in the base: removed (a branch switch, a revert
 *   of its addition), so this clone holds what a fresh clone of the commit holds. That is no
 *   deletion: nothing travels to other replicas, and checking the record's file out again
 *   brings it back. Deletions travel only as tombstones;
 * - gone from the file and edited here, or in no file pm saw (no base, or not in it): kept, and
 *   counted as a local change so the next export writes it (absence is not deletion). So is a
 *   record that a record staying refers to.
 *
 * Afterwards the file (in pm's layout) becomes the new base.
 */
export async function importSnapshotFile(
  store: Store,
  paths: SnapshotPaths,
  file = paths.snapshot,
  options: Omit<ImportOptions, 'basePath' | 'tracked'> = {},
): Promise<ImportResult> {
  if (!isSnapshot(paths, file)) return takeIn(store, paths, file, options);
  return withSnapshotLock(paths, () => takeIn(store, paths, file, options));
}

async function takeIn(
  store: Store,
  paths: SnapshotPaths,
  file: string,
  options: Omit<ImportOptions, 'basePath' | 'tracked'>,
): Promise<ImportResult> {
  const tracked = isSnapshot(paths, file);
  if (tracked) removeRetiredBases(paths);
  const base = tracked ? await usableBase(store, paths) : undefined;
  const nextBase = tracked && !options.dryRun && existsSync(file) ? keepBaseLater(paths, file) : undefined;
  let result: ImportResult;
  try {
    const lines = overlayLines(base?.overlay);
    result = await importSnapshot(store, file, {
      ...options,
      tracked,
      ...(base ? { basePath: base.path } : {}),
      ...(lines ? { baseLines: lines } : {}),
    });
  } catch (error) {
    await nextBase?.abandon();
    throw error;
  }
  if (!nextBase) return result;
  let kept: string;
  if (result.canonical) kept = await nextBase.keep();
  else {
    await nextBase.abandon();
    // Not in pm's layout: the base is the file in pm's layout, so its lines compare with stored ones.
    const temp = baseTemp(paths, 'data.json');
    await canonicalizeSnapshot(file, temp, file);
    kept = placeBase(paths, temp, 'data.json');
  }
  await store.write(async (tx) => {
    await tx.setMeta(META_BASE_SIGNATURE, kept);
    // The file is all of this base: no lines from exports, and no layout known.
    await tx.setMeta(META_BASE_OVERLAY, '');
    await tx.setMeta(META_SNAPSHOT_HASH, result.hash);
    await tx.setMeta(META_SNAPSHOT_SIGNATURE, signature(file));
  });
  return result;
}

export function removeBase(paths: SnapshotPaths, peer = 'data.json'): void {
  rmSync(basePath(paths, peer), { force: true });
}

/** sha256 of a file, read in chunks. */
export function fileHash(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) {
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Whether the tracked snapshot holds something the database has not seen: its content hash
 * differs from the one recorded when pm last wrote or read it. (A fresh clone has no record,
 * so its snapshot is always new.) An unchanged stat signature skips hashing. A file an export
 * patched was not hashed: its hash is the base's (the same bytes: the base file with the
 * overlay's lines in place), taken only now (after a checkout that rewrote data.json, say),
 * while that base is still intact.
 */
async function changedSinceRecorded(store: Store, paths: SnapshotPaths): Promise<boolean> {
  if (await snapshotUntouched(store, paths)) return false;
  let recorded = await store.getMeta(META_SNAPSHOT_HASH);
  if (recorded === NOT_HASHED) {
    const base = await usableBase(store, paths);
    if (!base) return true;
    const hash = baseHash(base);
    recorded = hash;
    await store.write((tx) => tx.setMeta(META_SNAPSHOT_HASH, hash));
  }
  if (fileHash(paths.snapshot) !== recorded) return true;
  await store.write((tx) => tx.setMeta(META_SNAPSHOT_SIGNATURE, signature(paths.snapshot)));
  return false;
}

/**
 * `changedSinceRecorded`. A file touched since is hashed under the snapshot lock: an export under
 * way (a background one, say) renames its file before it records it, and a file seen in between
 * would be hashed in full only to be taken for someone else's.
 */
export async function snapshotChanged(store: Store, paths: SnapshotPaths): Promise<boolean> {
  if (await snapshotUntouched(store, paths)) return false;
  return withSnapshotLock(paths, () => changedSinceRecorded(store, paths));
}

/**
 * Imports the tracked snapshot when it changed (after a clone, a pull, a checkout); else does
 * nothing. Asked under the lock, for the reason `snapshotChanged` gives.
 */
export async function importIfChanged(store: Store, paths: SnapshotPaths): Promise<ImportResult | undefined> {
  return withSnapshotLock(paths, async () => {
    if (!(await changedSinceRecorded(store, paths))) return undefined;
    return importSnapshotFile(store, paths);
  });
}
