import type { ItemType, Priority, Sprint, SwimLane, WorkItem } from '../../domain/index.js';

export const ITEM_TYPES = ['epic', 'story', 'task'] as const satisfies readonly ItemType[];
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Priority[];

/** An item's editable fields as a form holds them: text, '' for none. */
export interface Draft {
  title: string;
  description: string;
  item_type: string;
  status: string;
  priority: string;
  assignee: string;
  sprint: string;
  parent: string;
  story_points: string;
}
export type DraftField = keyof Draft;
export const DRAFT_FIELDS = Object.keys({
  title: 0,
  description: 0,
  item_type: 0,
  status: 0,
  priority: 0,
  assignee: 0,
  sprint: 0,
  parent: 0,
  story_points: 0,
} satisfies Record<DraftField, 0>) as DraftField[];

export const LABELS: Record<DraftField, string> = {
  title: 'Title',
  description: 'Description',
  item_type: 'Type',
  status: 'Status',
  priority: 'Priority',
  assignee: 'Assignee',
  sprint: 'Sprint',
  parent: 'Parent',
  story_points: 'Points',
};

/** A stored item as a draft; `parentKey` is the display key of its parent. */
export function draftOf(item: WorkItem, parentKey: string | null): Draft {
  return {
    title: item.title,
    description: item.description ?? '',
    item_type: item.item_type,
    status: item.status,
    priority: item.priority,
    assignee: item.assignee_id ?? '',
    sprint: item.sprint_id ?? '',
    parent: parentKey ?? '',
    story_points: item.story_points === null ? '' : String(item.story_points),
  };
}

/** The API's patch for the fields `changed` (empty text clears a field). */
export function patchOf(draft: Draft, changed: readonly DraftField[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const field of changed) {
    const value = draft[field].trim();
    if (field === 'story_points') patch[field] = value === '' ? null : Number(value);
    else if (field === 'description') patch[field] = draft.description === '' ? null : draft.description;
    else if (field === 'assignee' || field === 'sprint' || field === 'parent') patch[field] = value === '' ? null : value;
    else patch[field] = value;
  }
  return patch;
}

export function changedFields(draft: Draft, base: Draft): DraftField[] {
  return DRAFT_FIELDS.filter((f) => draft[f] !== base[f]);
}

export function ItemFields(props: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  lanes: readonly SwimLane[];
  sprints: readonly Sprint[];
  changed?: readonly DraftField[];
}) {
  const { draft } = props;
  const set = (field: DraftField) => (e: Event) =>
    props.onChange({ ...draft, [field]: (e.currentTarget as HTMLInputElement).value });
  const mark = (field: DraftField) => (props.changed?.includes(field) ? 'changed' : '');
  return (
    <div class="fields">
      <label class={`wide ${mark('title')}`}>
        {LABELS.title}
        <input name="title" required maxLength={500} value={draft.title} onInput={set('title')} />
      </label>
      <label class={mark('item_type')}>
        {LABELS.item_type}
        <select name="item_type" value={draft.item_type} onChange={set('item_type')}>
          {ITEM_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label class={mark('status')}>
        {LABELS.status}
        <select name="status" value={draft.status} onChange={set('status')}>
          {props.lanes.map((l) => (
            <option key={l.id} value={l.status_value}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <label class={mark('priority')}>
        {LABELS.priority}
        <select name="priority" value={draft.priority} onChange={set('priority')}>
          {PRIORITIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label class={mark('assignee')}>
        {LABELS.assignee}
        <input name="assignee" value={draft.assignee} placeholder="nobody" onInput={set('assignee')} />
      </label>
      <label class={mark('sprint')}>
        {LABELS.sprint}
        <select name="sprint" value={draft.sprint} onChange={set('sprint')}>
          <option value="">No sprint</option>
          {props.sprints.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label class={mark('parent')}>
        {LABELS.parent}
        <input name="parent" value={draft.parent} placeholder="e.g. WEB-1" onInput={set('parent')} />
      </label>
      <label class={mark('story_points')}>
        {LABELS.story_points}
        <input name="story_points" type="number" min={0} max={1000} value={draft.story_points} onInput={set('story_points')} />
      </label>
      <label class={`wide ${mark('description')}`}>
        {LABELS.description}
        <textarea name="description" rows={8} value={draft.description} onInput={set('description')} />
      </label>
    </div>
  );
}
