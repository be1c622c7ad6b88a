import type { Project, Sprint, SwimLane } from '../../domain/index.js';
import type { Board, Page, WorkItemView } from '../../tracker/index.js';
import Sortable from 'sortablejs';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, enc, get, post, query } from '../api.js';
import { touches, useFeed } from '../live.js';
import { href, navigate, route } from '../router.js';
import { Problem, ProjectSelect, messageOf, toast, useLoad } from '../ui.js';
import { announce } from '../announce.js';
import { Card } from './card.js';
import { MoveConflict, type Move } from './move-conflict.js';
import { NewProject } from './new-project.js';

interface Filters {
  project: string;
  sprint: string;
  assignee: string;
  q: string;
}

function filtersOf(params: URLSearchParams): Filters {
  return {
    project: params.get('project') ?? '',
    sprint: params.get('sprint') ?? '',
    assignee: params.get('assignee') ?? '',
    q: params.get('q') ?? '',
  };
}

function matches(item: WorkItemView, f: Filters): boolean {
  if (f.assignee === 'none' ? item.assignee_id !== null : f.assignee && item.assignee_id !== f.assignee) return false;
  if (!f.q) return true;
  const q = f.q.toLowerCase();
  return item.title.toLowerCase().includes(q) || item.key.toLowerCase().includes(q);
}

/** The board with `item` moved where `move` says, before the server has answered. */
function moved(board: Board, move: Move): Board {
  const columns = board.columns.map((c) => ({ ...c, items: c.items.filter((i) => i.id !== move.item.id) }));
  const target = columns.find((c) => c.lane.status_value === move.status);
  if (!target) return board;
  const item = { ...move.item, status: move.status };
  const anchor = move.before ?? move.after;
  const at = anchor === undefined ? -1 : target.items.findIndex((i) => i.id === anchor);
  const index = at === -1 ? target.items.length : move.before !== undefined ? at : at + 1;
  target.items.splice(index, 0, item);
  return { ...board, columns, unplaced: board.unplaced.filter((i) => i.id !== move.item.id) };
}

function replaced(board: Board, item: WorkItemView): Board {
  return { ...board, columns: board.columns.map((c) => ({ ...c, items: c.items.map((i) => (i.id === item.id ? item : i)) })) };
}

export function BoardPage() {
  const filters = filtersOf(route.value.params);
  const setFilter = (name: keyof Filters, value: string) =>
    navigate(href('/board', { ...filters, [name]: value, ...(name === 'project' ? { sprint: '' } : {}) }), true);

  const projects = useLoad(() => get<Page<Project>>('/projects'), []);
  // Without a project named, the server's default one (the only one, or default_project), so
  // the board does not wait for the list of projects; with several and no default, the first.
  const board = useLoad(async () => {
    const sprint = filters.sprint;
    if (filters.project) return get<Board>(`/board${query({ project: filters.project, sprint })}`);
    try {
      return await get<Board>(`/board${query({ sprint })}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 400) throw error;
      const first = (await get<Page<Project>>('/projects?limit=1')).items[0]?.key;
      return first ? get<Board>(`/board${query({ project: first, sprint })}`) : undefined;
    }
  }, [filters.project, filters.sprint]);
  const project = filters.project || board.data?.project.key || projects.data?.items[0]?.key || '';
  const sprints = useLoad(
    () => (project ? get<Page<Sprint>>(`/sprints${query({ project })}`) : Promise.resolve(undefined)),
    [project],
  );
  const [conflict, setConflict] = useState<(Move & { current: Record<string, unknown> }) | undefined>();
  const pending = useRef(0);
  const stale = useRef(false);
  const focusAfter = useRef<string | undefined>(undefined);
  const reloadTimer = useRef<number | undefined>(undefined);

  const visible = useMemo(
    () => board.data?.columns.map((c) => ({ lane: c.lane, items: c.items.filter((i) => matches(i, filters)) })) ?? [],
    [board.data, filters.assignee, filters.q],
  );
  const state = useRef({ visible, board: board.data });
  state.current = { visible, board: board.data };

  const dragging = useRef(false);
  const refresh = () => {
    // Not under a card being dragged, nor before a move is answered: after.
    if (pending.current > 0 || dragging.current) return void (stale.current = true);
    clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => void board.reload(), 120);
  };
  useFeed((message) => {
    if (message.type === 'changes' && touches(message.data, 'work_items', 'swim_lanes', 'sprints', 'projects')) {
      refresh();
      if (touches(message.data, 'projects')) void projects.reload();
      if (touches(message.data, 'sprints')) void sprints.reload();
    }
  });

  async function move(m: Move): Promise<void> {
    const current = state.current.board;
    if (current) board.setData(moved(current, m));
    pending.current++;
    try {
      const saved = await post<WorkItemView>(`/work_items/${enc(m.item.id)}/move`, {
        status: m.status,
        ...(m.before ? { before: m.before } : {}),
        ...(m.after ? { after: m.after } : {}),
        version: m.version ?? m.item.version,
      });
      const latest = state.current.board;
      if (latest) board.setData(replaced(latest, saved));
      const lane = latest?.columns.find((c) => c.lane.status_value === m.status)?.lane.name ?? m.status;
      announce(`Moved ${m.item.key} to ${lane}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'version_conflict') {
        const details = error.details as { current: Record<string, unknown> };
        setConflict({ ...m, current: details.current });
      } else toast(`${m.item.key} was not moved: ${messageOf(error)}`, 'error');
      stale.current = true;
    } finally {
      pending.current--;
      if (pending.current === 0 && stale.current) {
        stale.current = false;
        await board.reload();
      }
    }
  }

  /** A drop: where the card landed among the cards shown, as the item before or after it. */
  function dropped(event: Sortable.SortableEvent): void {
    const { item: node, from, to, oldIndex = 0, newIndex = 0 } = event;
    from.insertBefore(node, from.children[oldIndex] ?? null);
    dragging.current = false;
    if (from === to && oldIndex === newIndex) {
      if (stale.current) {
        stale.current = false;
        refresh();
      }
      return;
    }
    const id = node.dataset.id!;
    const status = to.dataset.status!;
    const all = state.current.visible.flatMap((c) => c.items);
    const item = all.find((i) => i.id === id) ?? state.current.board?.unplaced.find((i) => i.id === id);
    const lane = state.current.visible.find((c) => c.lane.status_value === status);
    if (!item || !lane) return;
    const others = lane.items.filter((i) => i.id !== id);
    const before = others[newIndex]?.id;
    const after = before === undefined ? others[newIndex - 1]?.id : undefined;
    void move({ item, status, ...(before ? { before } : {}), ...(after ? { after } : {}) });
  }

  function onKey(event: KeyboardEvent, lane: number, index: number): void {
    const columns = state.current.visible;
    const item = columns[lane]!.items[index]!;
    const focus = (l: number, i: number) => {
      const list = columns[l]?.items;
      if (!list || list.length === 0) return;
      document.querySelector<HTMLElement>(`[data-id="${list[Math.min(i, list.length - 1)]!.id}"]`)?.focus();
    };
    const key = event.key;
    if (key === 'Enter') return navigate(href(`/items/${item.key}`));
    if (!key.startsWith('Arrow')) return;
    event.preventDefault();
    if (!event.altKey && !event.shiftKey) {
      if (key === 'ArrowUp') focus(lane, index - 1 < 0 ? 0 : index - 1);
      if (key === 'ArrowDown') focus(lane, index + 1);
      if (key === 'ArrowLeft') focus(lane - 1, index);
      if (key === 'ArrowRight') focus(lane + 1, index);
      return;
    }
    const list = columns[lane]!.items;
    focusAfter.current = item.id;
    const status = columns[lane]!.lane.status_value;
    if (key === 'ArrowUp' && index > 0) void move({ item, status, before: list[index - 1]!.id });
    if (key === 'ArrowDown' && index < list.length - 1) void move({ item, status, after: list[index + 1]!.id });
    if (key === 'ArrowLeft' && lane > 0) void move({ item, status: columns[lane - 1]!.lane.status_value });
    if (key === 'ArrowRight' && lane < columns.length - 1) void move({ item, status: columns[lane + 1]!.lane.status_value });
  }

  useEffect(() => {
    if (!focusAfter.current) return;
    document.querySelector<HTMLElement>(`[data-id="${focusAfter.current}"]`)?.focus();
  });

  if (projects.data && projects.data.items.length === 0) return <NewProject onCreated={() => void projects.reload()} />;
  const assignees = [
    ...new Set(board.data?.columns.flatMap((c) => c.items.flatMap((i) => (i.assignee_id === null ? [] : [i.assignee_id])))),
  ].sort();
  const total = visible.reduce((n, c) => n + c.items.length, 0);

  return (
    <section class="board-page">
      <div class="toolbar" role="search">
        <label>
          Project
          <ProjectSelect projects={projects.data?.items} value={project} onChange={(key) => setFilter('project', key)} />
        </label>
        <label>
          Sprint
          <select value={filters.sprint} onChange={(e) => setFilter('sprint', e.currentTarget.value)}>
            <option value="">Active sprint (else all)</option>
            <option value="all">All items</option>
            <option value="none">No sprint</option>
            {sprints.data?.items.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.status})
              </option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <select value={filters.assignee} onChange={(e) => setFilter('assignee', e.currentTarget.value)}>
            <option value="">Anyone</option>
            <option value="none">Unassigned</option>
            {assignees.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Filter
          <input
            type="search"
            value={filters.q}
            placeholder="title or key"
            onInput={(e) => setFilter('q', e.currentTarget.value)}
          />
        </label>
        <span class="spacer" />
        <span class="muted">{board.data ? `${total} items${board.data.sprint ? ` · ${board.data.sprint.name}` : ''}` : ''}</span>
        <a class="button primary" href={href('/new', { project })}>
          New item
        </a>
      </div>
      <Problem error={board.error ?? projects.error} />
      <p class="hint muted">
        Drag cards between lanes, or focus one and press Alt+arrows to move it (arrows to look around, Enter to open).
      </p>
      <div class="lanes">
        {visible.map((column, l) => (
          <Lane
            key={column.lane.id}
            lane={column.lane}
            project={project}
            onDrag={() => (dragging.current = true)}
            onDrop={dropped}
          >
            {column.items.map((item, i) => (
              <Card key={item.id} item={item} onKey={(e) => onKey(e, l, i)} />
            ))}
          </Lane>
        ))}
        {board.data && board.data.unplaced.length > 0 && (
          <section class="lane unplaced">
            <header>
              <h3>No lane</h3>
              <span class="count">{board.data.unplaced.length}</span>
            </header>
            <ol class="cards">
              {board.data.unplaced.map((item) => (
                <Card key={item.id} item={item} onKey={() => undefined} />
              ))}
            </ol>
          </section>
        )}
      </div>
      {conflict && (
        <MoveConflict
          move={conflict}
          current={conflict.current}
          sprintName={(id) => sprints.data?.items.find((s) => s.id === id)?.name ?? id}
          onRetry={() => {
            const version = Number(conflict.current.version);
            setConflict(undefined);
            void move({ ...conflict, version });
          }}
          onClose={() => setConflict(undefined)}
        />
      )}
    </section>
  );
}

function Lane(props: {
  lane: SwimLane;
  project: string;
  onDrag: () => void;
  onDrop: (event: Sortable.SortableEvent) => void;
  children: ComponentChildren;
}) {
  const list = useRef<HTMLOListElement>(null);
  const handlers = useRef(props);
  handlers.current = props;
  useEffect(() => {
    const sortable = Sortable.create(list.current!, {
      group: 'board',
      animation: 120,
      forceFallback: true,
      fallbackTolerance: 4,
      ghostClass: 'ghost',
      chosenClass: 'chosen',
      onStart: () => handlers.current.onDrag(),
      onEnd: (event) => handlers.current.onDrop(event),
    });
    return () => sortable.destroy();
  }, []);
  const count = Array.isArray(props.children) ? props.children.length : 0;
  return (
    <section class="lane" aria-label={props.lane.name}>
      <header>
        <h3>{props.lane.name}</h3>
        <span class="count">{count}</span>
        <a
          class="icon"
          title={`New item in ${props.lane.name}`}
          href={href('/new', { project: props.project, status: props.lane.status_value })}
        >
          +
        </a>
      </header>
      <ol class="cards" ref={list} data-status={props.lane.status_value}>
        {props.children}
      </ol>
    </section>
  );
}
