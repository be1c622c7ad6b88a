import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultLanes,
  derivedId,
  type AnyRecord,
  type Comment,
  type Conflict,
  type Dependency,
  type EntityType,
  type Meta,
  type Project,
  type Sprint,
  type SwimLane,
  type TimeEntry,
  type WorkItem,
} from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { writeSnapshot } from '../../src/sync/index.js';
import { generateDataset, type Dataset } from '../../bench/generate.js';
import { tempDir } from './temp.js';

/** The snapshot of a store as text. */
export async function snapshotText(store: Store): Promise<string> {
  const chunks: Buffer[] = [];
  await writeSnapshot(store, { write: (chunk) => void chunks.push(Buffer.from(chunk)) });
  return Buffer.concat(chunks).toString('utf8');
}

export function writeTemp(text: string | Buffer, name = 'snapshot.json'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/**
 * `{"schema_version":1,"comments":[{},{},…]}` with `n` empty records, 8 bytes each (2M: 16 MB),
 * one object on a line: a hostile file, each record with five problems.
 */
export function emptyRecordsFile(n: number): string {
  return writeTemp(
    `{"schema_version":1,"comments":[${new Array<string>(n).fill('{}').join(',\n      ')}]}\n`,
    'empty-records.json',
  );
}

/** A data set big enough to kill a process in the middle of its import. */
export const MEDIUM = { projects: 4, sprints: 40, items: 30_000, comments: 30_000, timeEntries: 10_000, dependencies: 5_000 };

/** A snapshot file of the MEDIUM data set; the seed picks its records. */
export async function bigSnapshotFile(seed: number): Promise<string> {
  const big = await openStore(':memory:');
  await loadRecords(big, generateDataset(MEDIUM, seed));
  const file = writeTemp(await snapshotText(big), 'big.json');
  await big.close();
  return file;
}

/** Loads records straight into a store (FK order), as if they had been imported. */
export async function loadRecords(store: Store, data: Partial<Dataset>): Promise<void> {
  await store.write(async (tx) => {
    await tx.deferForeignKeys();
    for (const type of Object.keys(data) as EntityType[]) {
      const records = (data[type] ?? []) as AnyRecord[];
      const existing = await tx.getMany(
        type,
        records.map((r) => r.id),
      );
      await tx.insertMany(
        type,
        records.filter((r) => !existing.has(r.id)),
        { localSeq: 0 },
      );
    }
  });
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let counter = 0;
const id = (name: string) => derivedId(`edge:${name}:${counter}`);

function meta(minutes: number, extra: Partial<Meta> = {}): Meta {
  return {
    version: 1,
    created_by: 'edge@example.com',
    updated_by: 'edge@example.com',
    created_at: at(minutes),
    updated_at: at(minutes),
    deleted_at: null,
    field_updated_at: {},
    ...extra,
  };
}

/**
 * Records that stress the format: unicode and emoji, control characters, long text, every
 * optional field null, tombstones of every type, a 60-deep parent chain, every enum value.
 */
export function edgeCaseData(): Dataset {
  counter++;
  const long = 'Long text with every kind of line.\n'.repeat(3000) + '🚀'.repeat(1000);
  const strange =
    'quotes " and \\ backslashes, tab\t, newline\n, nul-ish \u0001 \u001f, RTL שלום, CJK 漢字, emoji 👩‍💻🎉, ZWJ, U+2028\u2028';
  const projects: Project[] = [
    {
      id: id('p1'),
      key: 'EDGE',
      title: `Edge ${strange}`,
      description: long,
      status: 'active' as const,
      next_work_item_number: 200,
      ...meta(1),
    },
    {
      id: id('p2'),
      key: 'ARCH',
      title: 'Archived',
      description: null,
      status: 'archived' as const,
      next_work_item_number: 1,
      ...meta(2, { deleted_at: at(3), updated_at: at(3), version: 2, field_updated_at: { deleted_at: at(3) } }),
    },
  ];
  const p = projects[0]!.id;
  const statuses = ['planned', 'active', 'completed', 'cancelled'] as const;
  const sprints: Sprint[] = statuses.map((status, i) => ({
    id: id(`s${i}`),
    project_id: p,
    name: `Sprint ${status} ✨`,
    goal: i % 2 ? null : strange,
    start_date: '2026-02-28',
    end_date: i === 0 ? '2026-02-28' : '2028-02-29',
    status,
    // The deleted sprint holds no live item: deleting a sprint takes its items out.
    ...meta(10 + i, i === 0 ? { deleted_at: at(20), updated_at: at(20), version: 2 } : {}),
  }));
  const lanes: SwimLane[] = [
    ...defaultLanes(),
    { id: id('lane'), project_id: p, name: 'QA 🧪', status_value: 'qa', position: -3, is_default: false, ...meta(30) },
    {
      id: id('lane-gone'),
      project_id: p,
      name: 'Gone',
      status_value: 'gone',
      position: 9,
      is_default: false,
      ...meta(31, { deleted_at: at(32), updated_at: at(32), version: 2 }),
    },
  ];
  const types = ['epic', 'story', 'task'] as const;
  const priorities = ['low', 'medium', 'high', 'critical'] as const;
  const items: WorkItem[] = [];
  let parent: string | null = null;
  for (let i = 0; i < 60; i++) {
    const item: WorkItem = {
      id: id(`i${i}`),
      project_id: p,
      parent_id: parent,
      item_type: types[i % 3]!,
      item_number: i + 1,
      title: i === 0 ? strange : `Item ${i} ${'é'.repeat(i)}`,
      description: i === 1 ? long : i % 2 ? null : `desc ${i}`,
      status: i === 2 ? 'qa' : i === 3 ? 'no_lane_status' : 'todo',
      priority: priorities[i % 4]!,
      position: i * 1024 - 5000,
      story_points: i % 5 === 0 ? null : i % 13,
      assignee_id: i % 3 ? null : 'someone+tag@example.com',
      sprint_id: i % 4 === 0 ? null : sprints[i % 4]!.id,
      ...meta(
        100 + i,
        i % 7 === 0
          ? {
              deleted_at: at(500 + i),
              updated_at: at(500 + i),
              version: 3,
              field_updated_at: { deleted_at: at(500 + i), title: at(400 + i) },
            }
          : {},
      ),
    };
    items.push(item);
    parent = item.id;
  }
  const comments: Comment[] = items.slice(0, 20).map((item, i) => ({
    id: id(`c${i}`),
    work_item_id: item.id,
    content: i === 0 ? long : i === 1 ? strange : `comment ${i}`,
    ...meta(700 + i, i === 2 ? { deleted_at: at(800), updated_at: at(800), version: 2 } : {}),
  }));
  // Deleting an item deletes the dependencies that name it.
  const gone = (n: number) => items[n]!.deleted_at !== null;
  const dependencies: Dependency[] = items.slice(1, 20).map((item, i) => ({
    id: id(`d${i}`),
    blocking_item_id: items[i]!.id,
    blocked_item_id: item.id,
    dependency_type: i % 2 ? ('relates_to' as const) : ('blocks' as const),
    ...meta(900 + i, i === 3 || gone(i) || gone(i + 1) ? { deleted_at: at(950), updated_at: at(950), version: 2 } : {}),
  }));
  const time: TimeEntry[] = items.slice(0, 10).map((item, i) => ({
    id: id(`t${i}`),
    work_item_id: item.id,
    user_id: 'timer@example.com',
    started_at: at(1000 + i),
    ended_at: i === 0 ? null : at(1000 + i + 30),
    duration_seconds: i === 0 ? null : 1800,
    description: i === 1 ? strange : null,
    ...meta(1000 + i, i === 2 ? { deleted_at: at(1100), updated_at: at(1100), version: 2 } : {}),
  }));
  const conflicts: Conflict[] = [
    {
      id: id('conflict'),
      entity_type: 'work_items',
      record_id: items[5]!.id,
      field: 'title',
      ours_value: 'A',
      theirs_value: null,
      winner: 'ours' as const,
      reason: 'test',
      detected_at: at(1200),
      resolution: 'value' as const,
      resolved_value: 42,
      ...meta(1200),
    },
  ];
  const byId = <T extends { id: string }>(xs: T[]) => xs.sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    projects: byId(projects),
    sprints: byId(sprints),
    swim_lanes: byId(lanes),
    work_items: byId(items),
    comments: byId(comments),
    dependencies: byId(dependencies),
    time_entries: byId(time),
    conflicts: byId(conflicts),
  };
}
