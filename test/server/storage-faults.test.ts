import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/server/index.js';
import { boundPm } from '../helpers/cli.js';
import { cannotMount, fill, tmpfs } from '../helpers/mounts.js';
import { serveWorkspace } from '../helpers/server.js';

describe('pm serve on a full disk', () => {
  it('answers a write 507 disk_full naming data.db, while reads still work, and writes again once there is space', async ({
    skip,
  }) => {
    if (cannotMount) skip(cannotMount);
    const dir = tmpfs('2m');
    const cli = boundPm(dir);
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Web']);
    await cli.ok(['item', 'add', '--type', 'task', 'A']);
    const { api } = await serveWorkspace(dir);
    const filler = fill(dir);

    const refused = await api.patch<ErrorBody>('/work_items/WEB-1', { title: 'B', description: 'x'.repeat(20_000), version: 1 });
    expect(refused.status, refused.text).toBe(507);
    expect(refused.body.error).toMatchObject({ code: 'disk_full' });
    expect(refused.body.error.message).toContain(`cannot write ${join(dir, '.pm', 'data.db')}: the disk is full`);
    const read = await api.get<{ title: string; version: number }>('/work_items/WEB-1');
    expect(read.body).toMatchObject({ title: 'A', version: 1 });

    rmSync(filler);
    expect((await api.patch('/work_items/WEB-1', { title: 'B', version: 1 })).status).toBe(200);
  });
});
