import type { Sprint, WorkItem } from '../../domain/index.js';
import type { WorkItemView } from '../../tracker/index.js';
import { ago } from '../format.js';
import { Dialog, Head } from '../ui.js';
import { DRAFT_FIELDS, LABELS, changedFields, draftOf, type Draft } from './fields.js';

/**
 * A save the server refused because the item moved on: every field as the user found it, as
 * they made it, and as it is now. Their edit stays in the form until they choose.
 */
export function EditConflict(props: {
  item: WorkItemView;
  base: Draft;
  mine: Draft;
  current: WorkItem;
  sprints: readonly Sprint[];
  onOverwrite: () => void;
  onDiscard: () => void;
  onClose: () => void;
}) {
  const { current } = props;
  const now = draftOf(current, props.current.parent_id === null ? null : props.base.parent);
  const sprintName = (id: string) => props.sprints.find((s) => s.id === id)?.name ?? id;
  const show = (draft: Draft, field: keyof Draft) => {
    const value = field === 'sprint' && draft.sprint ? sprintName(draft.sprint) : draft[field];
    return value === '' ? '—' : value;
  };
  const mineChanged = changedFields(props.mine, props.base);
  const theirsChanged = changedFields(now, props.base);
  const fields = DRAFT_FIELDS.filter((f) => mineChanged.includes(f) || theirsChanged.includes(f));
  return (
    <Dialog title={`${props.item.key} was changed by someone else`} onClose={props.onClose} wide>
      <p>
        {current.updated_by} saved version {current.version} {ago(current.updated_at)}, after you opened version{' '}
        {props.item.version}. Nothing of yours was saved yet.
      </p>
      <table class="diff">
        <Head columns={['field', 'when you opened it', 'yours', 'now']} />
        <tbody>
          {fields.map((f) => (
            <tr key={f} class={mineChanged.includes(f) && theirsChanged.includes(f) ? 'both' : 'changed'}>
              <th>{LABELS[f]}</th>
              <td>{show(props.base, f)}</td>
              <td class={mineChanged.includes(f) ? 'mine' : ''}>{show(props.mine, f)}</td>
              <td class={theirsChanged.includes(f) ? 'theirs' : ''}>{show(now, f)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <footer>
        <button class="primary" onClick={props.onOverwrite}>
          Save my changes over theirs
        </button>
        <button onClick={props.onDiscard}>Discard mine, show theirs</button>
        <button onClick={props.onClose}>Keep editing</button>
      </footer>
    </Dialog>
  );
}
