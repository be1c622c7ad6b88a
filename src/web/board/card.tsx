import type { WorkItemView } from '../../tracker/index.js';
import { href } from '../router.js';

const TYPE_MARK = { epic: 'E', story: 'S', task: 'T' } as const;

export function Card({ item, onKey }: { item: WorkItemView; onKey: (event: KeyboardEvent) => void }) {
  return (
    <li
      class={`card p-${item.priority}`}
      data-id={item.id}
      data-key={item.key}
      tabIndex={0}
      aria-label={`${item.key}: ${item.title}, ${item.priority} priority`}
      onKeyDown={onKey}
    >
      <div class="card-top">
        <span class={`type t-${item.item_type}`} title={item.item_type}>
          {TYPE_MARK[item.item_type]}
        </span>
        <a class="key" href={href(`/items/${item.key}`)} tabIndex={-1}>
          {item.key}
        </a>
        {item.story_points !== null && (
          <span class="points" title="story points">
            {item.story_points}
          </span>
        )}
      </div>
      <div class="title">{item.title}</div>
      <div class="card-bottom">
        <span class={`prio p-${item.priority}`}>{item.priority}</span>
        {item.assignee_id && (
          <span class="assignee" title={item.assignee_id}>
            {item.assignee_id}
          </span>
        )}
      </div>
    </li>
  );
}
