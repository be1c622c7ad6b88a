import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkItemView } from '../../src/tracker/index.js';
import { boundPm } from '../helpers/cli.js';
import { serveWorkspace, type Api } from '../helpers/server.js';
import { DIALECTS, postgresUrl } from '../helpers/stores.js';
import { tempDir } from '../helpers/temp.js';

describe.each(DIALECTS)('concurrent PATCHes to pm serve on %s', (dialect) => {
  let api: Api;

  beforeAll(async () => {
    const cwd = tempDir();
    const database = dialect === 'postgres' ? postgresUrl() : undefined;
    const cli = boundPm(cwd, database ? { PM_DATABASE_URL: database } : {});
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Website']);
    api = (await serveWorkspace(cwd, database ? { database } : {})).api;
  });

  async function newItem(title: string): Promise<WorkItemView> {
    const created = await api.post<WorkItemView>('/work_items', { project: 'WEB', item_type: 'task', title });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('answers one of ten carrying the same version with 200 and the rest with 409', async () => {
    for (let round = 0; round < 5; round++) {
      const item = await newItem(`Round ${round}`);
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => api.patch(`/work_items/${item.key}`, { title: `Edit ${i}`, version: 1 })),
      );
      expect(replies.map((r) => r.status).sort()).toEqual([200, ...Array<number>(9).fill(409)]);
      const winner = replies.find((r) => r.status === 200)!.body as WorkItemView;
      expect((await api.get<WorkItemView>(`/work_items/${item.key}`)).body).toMatchObject({ version: 2, title: winner.title });
    }
  });

  it('keeps every field when each request changes another one', async () => {
    const patches = [
      { title: 'New title' },
      { description: 'New description' },
      { priority: 'high' },
      { story_points: 5 },
      { assignee: 'carol@example.com' },
      { item_type: 'story' },
    ];
    for (let round = 0; round < 5; round++) {
      const item = await newItem(`Round ${round}`);
      const replies = await Promise.all(patches.map((patch) => api.patch(`/work_items/${item.key}`, patch)));
      expect(replies.map((r) => r.status)).toEqual(patches.map(() => 200));
      expect((await api.get<WorkItemView>(`/work_items/${item.key}`)).body).toMatchObject({
        title: 'New title',
        description: 'New description',
        priority: 'high',
        story_points: 5,
        assignee_id: 'carol@example.com',
        item_type: 'story',
        version: 1 + patches.length,
      });
    }
  });
});
