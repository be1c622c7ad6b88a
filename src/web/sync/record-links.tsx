import { href } from '../router.js';
import type { SyncRunItem } from './types.js';

/** A synced record on both sides: pm's (opens the item) and the remote's (opens the tracker). */
export function RecordLinks({
  item,
}: {
  item: Pick<SyncRunItem, 'entity_type' | 'local_id' | 'remote_id' | 'remote_url'> & { local_key?: string | null };
}) {
  const type = item.entity_type.replace(/s$/, '').replace(/_/g, ' ');
  const on = item.entity_type === 'work_items' ? '' : 'on ';
  return (
    <span class="record-links">
      {type}{' '}
      {item.local_id ? (
        item.local_key ? (
          <a class="local" href={href(`/items/${item.local_key}`)}>
            {on}
            {item.local_key}
          </a>
        ) : (
          <span class="local">pm {item.local_id.slice(-8)}</span>
        )
      ) : (
        <span class="muted">not in pm</span>
      )}{' '}
      ↔{' '}
      {item.remote_url ? (
        <a class="remote" href={item.remote_url} target="_blank" rel="noopener noreferrer">
          #{item.remote_id} ↗
        </a>
      ) : item.remote_id ? (
        <span class="remote">#{item.remote_id}</span>
      ) : (
        <span class="muted">not remote yet</span>
      )}
    </span>
  );
}
