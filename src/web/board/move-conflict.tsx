import type { WorkItemView } from '../../tracker/index.js';
import { ago, text } from '../format.js';
import { Dialog, Head } from '../ui.js';

export interface Move {
  item: WorkItemView;
  status: string;
  before?: string;
  after?: string;
  /** The version the move starts from (default: the card's). */
  version?: number;
}

const SHOWN = {
  status: 'Status',
  title: 'Title',
  priority: 'Priority',
  assignee_id: 'Assignee',
  sprint_id: 'Sprint',
  story_points: 'Points',
  description: 'Description',
} as const;

/**
 * A move the server refused because the item changed meanwhile: the newer record, what
 * changed, and the move the user made, which is applied again only if they say so.
 */
export function MoveConflict(props: {
  move: Move;
  current: Record<string, unknown>;
  /** A sprint's name by id. */
  sprintName: (id: string) => string;
  onRetry: () => void;
  onClose: () => void;
}) {
  const { move, current } = props;
  const mine = move.item as unknown as Record<string, unknown>;
  const show = (field: string, value: unknown) =>
    field === 'sprint_id' && typeof value === 'string' ? props.sprintName(value) : text(value);
  const fields = Object.entries(SHOWN).filter(([field]) => field === 'status' || mine[field] !== current[field]);
  return (
    <Dialog title={`${move.item.key} changed while you moved it`} onClose={props.onClose}>
      <p>
        Someone else ({String(current.updated_by)}, {ago(current.updated_at as string)}) saved version {String(current.version)}{' '}
        of this item after you loaded version {move.item.version}. Your move was not applied.
      </p>
      <table class="diff">
        <Head columns={['field', 'you saw', 'now']} />
        <tbody>
          {fields.map(([field, label]) => (
            <tr key={field} class={mine[field] !== current[field] ? 'changed' : ''}>
              <th>{label}</th>
              <td>{show(field, mine[field])}</td>
              <td>{show(field, current[field])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Your move: to <strong>{move.status}</strong>
        {move.before ? ' (above the card you dropped it on)' : move.after ? ' (below the card above it)' : ''}.
      </p>
      <footer>
        <button class="primary" onClick={props.onRetry}>
          Move it anyway
        </button>
        <button onClick={props.onClose}>Keep the newer version</button>
      </footer>
    </Dialog>
  );
}
