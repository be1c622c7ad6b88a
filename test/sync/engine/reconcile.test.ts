import { describe, expect, it, vi } from 'vitest';
import type { ConflictStrategy } from '../../../src/domain/index.js';
import type { SyncedFields } from '../../../src/sync/connectors/index.js';
import type { LinkBase } from '../../../src/sync/engine/links.js';
import { nextBase, reconcile, type ReconcileOptions, type Side } from '../../../src/sync/engine/reconcile.js';

const base: LinkBase = {
  local: { title: 'Base', status: 'New', priority: 'Normal' },
  remote: { title: 'Base', status: 'New', priority: 'Normal' },
};

function options(strategy: ConflictStrategy, extra: Partial<ReconcileOptions> = {}): ReconcileOptions {
  return {
    strategy,
    newer: () => {
      throw new Error('newer must not be asked');
    },
    settled: () => false,
    ...extra,
  };
}

describe('reconcile', () => {
  it('takes the local value for a field changed only locally', () => {
    const local = { ...base.local, title: 'Local' };
    const r = reconcile(local, base.remote, base, options('server_wins'));
    expect(r.local).toEqual(local);
    expect(r.remote).toEqual({ ...base.remote, title: 'Local' });
    expect(r.conflicts).toEqual([]);
    expect(r.open.size).toBe(0);
  });

  it('takes the remote value for a field changed only remotely', () => {
    const remote = { ...base.remote, status: 'In Progress' };
    const r = reconcile(base.local, remote, base, options('client_wins'));
    expect(r.local).toEqual({ ...base.local, status: 'In Progress' });
    expect(r.remote).toEqual(remote);
    expect(r.conflicts).toEqual([]);
  });

  it('keeps both edits to different fields', () => {
    const local = { ...base.local, title: 'Local' };
    const remote = { ...base.remote, priority: 'High' };
    const r = reconcile(local, remote, base, options('manual'));
    expect(r.local).toEqual({ title: 'Local', status: 'New', priority: 'High' });
    expect(r.remote).toEqual({ title: 'Local', status: 'New', priority: 'High' });
    expect(r.conflicts).toEqual([]);
    expect(r.open.size).toBe(0);
  });

  it('does not count both sides changing to the same value as a conflict', () => {
    const local = { ...base.local, title: 'Same' };
    const remote = { ...base.remote, title: 'Same' };
    const settled = vi.fn(() => false);
    const r = reconcile(local, remote, base, options('manual', { settled }));
    expect(r.conflicts).toEqual([]);
    expect(r.open.size).toBe(0);
    expect(r.local.title).toBe('Same');
    expect(r.remote.title).toBe('Same');
    expect(settled).not.toHaveBeenCalled();
  });

  it('treats a missing field and null as the same value', () => {
    const r = reconcile({ title: 'A', parent_id: null }, { title: 'A' }, { local: {}, remote: {} }, options('manual'));
    expect(r.conflicts).toEqual([]);
    expect(r.open.size).toBe(0);
  });

  describe('both sides changed the same field to different values', () => {
    const local = { ...base.local, title: 'Local' };
    const remote = { ...base.remote, title: 'Remote' };

    it('server_wins gives both sides the remote value and records the conflict', () => {
      const r = reconcile(local, remote, base, options('server_wins'));
      expect(r.local.title).toBe('Remote');
      expect(r.remote.title).toBe('Remote');
      expect(r.conflicts).toEqual([{ field: 'title', local: 'Local', remote: 'Remote', winner: 'remote' }]);
      expect(r.open.size).toBe(0);
    });

    it('client_wins gives both sides the local value and records the conflict', () => {
      const r = reconcile(local, remote, base, options('client_wins'));
      expect(r.local.title).toBe('Local');
      expect(r.remote.title).toBe('Local');
      expect(r.conflicts).toEqual([{ field: 'title', local: 'Local', remote: 'Remote', winner: 'local' }]);
      expect(r.open.size).toBe(0);
    });

    it.each<[Side, string]>([
      ['local', 'Local'],
      ['remote', 'Remote'],
    ])('newest_wins takes the side the newer callback names (%s)', (side, value) => {
      const newer = vi.fn((): Side => side);
      const r = reconcile(local, remote, base, options('newest_wins', { newer }));
      expect(newer).toHaveBeenCalledWith('title');
      expect(r.local.title).toBe(value);
      expect(r.remote.title).toBe(value);
      expect(r.conflicts).toEqual([{ field: 'title', local: 'Local', remote: 'Remote', winner: side }]);
    });

    it('newest_wins asks about each conflicting field on its own', () => {
      const l2 = { ...local, priority: 'Low' };
      const r2 = { ...remote, priority: 'High' };
      const r = reconcile(l2, r2, base, options('newest_wins', { newer: (f) => (f === 'title' ? 'local' : 'remote') }));
      expect(r.local).toMatchObject({ title: 'Local', priority: 'High' });
      expect(r.remote).toMatchObject({ title: 'Local', priority: 'High' });
      expect(r.conflicts.map((c) => [c.field, c.winner])).toEqual([
        ['title', 'local'],
        ['priority', 'remote'],
      ]);
    });

    it('manual leaves the field open and each side keeps its own value', () => {
      const r = reconcile(local, remote, base, options('manual'));
      expect(r.local.title).toBe('Local');
      expect(r.remote.title).toBe('Remote');
      expect(r.conflicts).toEqual([{ field: 'title', local: 'Local', remote: 'Remote', winner: null }]);
      expect([...r.open]).toEqual(['title']);
    });

    it.each<ConflictStrategy>(['manual', 'server_wins', 'newest_wins'])(
      'a settled field keeps the local value under %s',
      (strategy) => {
        const settled = vi.fn((field: string, value: SyncedFields[string]) => field === 'title' && value === 'Remote');
        const r = reconcile(local, remote, base, options(strategy, { settled, newer: () => 'remote' }));
        expect(settled).toHaveBeenCalledWith('title', 'Remote');
        expect(r.local.title).toBe('Local');
        expect(r.remote.title).toBe('Local');
        expect(r.conflicts).toEqual([{ field: 'title', local: 'Local', remote: 'Remote', winner: 'local' }]);
        expect(r.open.size).toBe(0);
      },
    );

    it('a field settled against another remote value is decided by the strategy', () => {
      const settled = (_field: string, value: SyncedFields[string]) => value === 'Older remote';
      const r = reconcile(local, remote, base, options('server_wins', { settled }));
      expect(r.local.title).toBe('Remote');
      expect(r.conflicts[0]?.winner).toBe('remote');
    });
  });

  it('leaves alone a field that differs between the sides but changed on neither (a lossy mapping)', () => {
    // pm says `todo`, which Redmine holds as `New`; the projection of each side matches its own base.
    const lossy: LinkBase = { local: { status: 'todo' }, remote: { status: 'New' } };
    const r = reconcile({ status: 'todo' }, { status: 'New' }, lossy, options('server_wins'));
    expect(r.local.status).toBe('todo');
    expect(r.remote.status).toBe('New');
    expect(r.conflicts).toEqual([]);
    expect(r.open.size).toBe(0);
  });

  it('compares each side with its own base, not with the other side', () => {
    const lossy: LinkBase = { local: { status: 'todo' }, remote: { status: 'New' } };
    const r = reconcile({ status: 'todo' }, { status: 'In Progress' }, lossy, options('client_wins'));
    expect(r.local.status).toBe('In Progress');
    expect(r.conflicts).toEqual([]);
  });

  it('counts a field missing from the local base as changed locally', () => {
    const partial: LinkBase = { local: { title: 'Base' }, remote: { title: 'Base', status: 'New' } };
    const r = reconcile({ title: 'Base', status: 'Doing' }, { title: 'Base', status: 'New' }, partial, options('server_wins'));
    expect(r.remote.status).toBe('Doing');
    expect(r.conflicts).toEqual([]);
  });

  it('counts a field missing from the remote base as changed remotely', () => {
    const partial: LinkBase = { local: { title: 'Base', status: 'New' }, remote: { title: 'Base' } };
    const r = reconcile({ title: 'Base', status: 'New' }, { title: 'Base', status: 'Doing' }, partial, options('client_wins'));
    expect(r.local.status).toBe('Doing');
    expect(r.conflicts).toEqual([]);
  });

  it('counts a field missing from both bases as a conflict when the sides differ', () => {
    const r = reconcile({ status: 'A' }, { status: 'B' }, { local: {}, remote: {} }, options('client_wins'));
    expect(r.conflicts).toEqual([{ field: 'status', local: 'A', remote: 'B', winner: 'local' }]);
    expect(r.remote.status).toBe('A');
  });

  it('reads a field one side lacks as null', () => {
    const nullGoal: LinkBase = { local: { title: 'T', goal: null }, remote: { title: 'T', goal: null } };
    const r = reconcile({ title: 'T', goal: 'Ship' }, { title: 'T' }, nullGoal, options('manual'));
    expect(r.remote.goal).toBe('Ship');
    expect(r.conflicts).toEqual([]);
  });

  it('does not change the records it is given', () => {
    const local = { ...base.local, title: 'Local' };
    const remote = { ...base.remote, status: 'Closed' };
    const copies = [structuredClone(local), structuredClone(remote)];
    reconcile(local, remote, base, options('server_wins'));
    expect([local, remote]).toEqual(copies);
  });
});

describe('nextBase', () => {
  it('is what each side now holds when nothing is open', () => {
    const next = nextBase({ title: 'L', status: 'todo' }, { title: 'L', status: 'New' }, base, new Set());
    expect(next).toEqual({ local: { title: 'L', status: 'todo' }, remote: { title: 'L', status: 'New' } });
  });

  it('keeps the previous base for open fields, on both sides', () => {
    const next = nextBase({ title: 'Local', status: 'todo' }, { title: 'Remote', status: 'New' }, base, new Set(['title']));
    expect(next.local).toEqual({ title: 'Base', status: 'todo' });
    expect(next.remote).toEqual({ title: 'Base', status: 'New' });
  });

  it('keeps an open field in conflict on the next reconcile', () => {
    const local = { ...base.local, title: 'Local' };
    const remote = { ...base.remote, title: 'Remote' };
    const first = reconcile(local, remote, base, options('manual'));
    const next = nextBase(first.local, first.remote, base, first.open);
    const second = reconcile(first.local, first.remote, next, options('manual'));
    expect([...second.open]).toEqual(['title']);
    expect(second.conflicts).toHaveLength(1);
  });

  it('does not share objects with its inputs', () => {
    const local = { title: 'L' };
    const next = nextBase(local, { title: 'L' }, base, new Set());
    next.local.title = 'changed';
    expect(local.title).toBe('L');
  });
});

describe('a field left open with no earlier base value', () => {
  it('stays in conflict on the next run', () => {
    const open = new Set(['title']);
    const base = nextBase({ title: 'Ours' }, { title: 'Theirs' }, { local: {}, remote: {} }, open);
    expect(base).toEqual({ local: {}, remote: {} });
    const again = reconcile({ title: 'Ours' }, { title: 'Theirs' }, base, {
      strategy: 'manual',
      newer: () => 'remote',
      settled: () => false,
    });
    expect([...again.open]).toEqual(['title']);
  });
});
