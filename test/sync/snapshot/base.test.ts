import { describe, expect, it } from 'vitest';
import { BaseSnapshot, baseRecord } from '../../../src/sync/snapshot/base.js';
import { snapshotText, writeTemp } from '../../helpers/snapshot.js';
import { freshTracker } from '../../helpers/tracker.js';

describe('the base of a three-way merge', () => {
  it('finds every record however it is asked: in file order, back, then on again', async () => {
    const { store, tracker } = await freshTracker('sqlite');
    const project = await tracker.addProject({ key: 'WEB', title: 'Web' });
    const sprint = await tracker.addSprint({ name: 'S1', start_date: '2026-12-01', end_date: '2026-12-14' });
    const items = [];
    for (const title of ['One', 'Two', 'Three']) items.push(await tracker.addItem({ item_type: 'task', title }));
    const base = new BaseSnapshot(writeTemp(await snapshotText(store)));
    try {
      expect(baseRecord('work_items', base.text('work_items', items[1]!.id))).toMatchObject({ title: 'Two' });
      expect(baseRecord('projects', base.text('projects', project.id))).toMatchObject({ key: 'WEB' });
      expect(baseRecord('sprints', base.text('sprints', sprint.id))).toMatchObject({ name: 'S1' });
      expect(baseRecord('work_items', base.text('work_items', items[0]!.id))).toMatchObject({ title: 'One' });
      expect(baseRecord('work_items', base.text('work_items', items[2]!.id))).toMatchObject({ title: 'Three' });
      expect(baseRecord('work_items', base.text('work_items', project.id))).toBeUndefined();
    } finally {
      base.close();
      await store.close();
    }
  });
});
