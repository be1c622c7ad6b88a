import type { Conflict } from '../../domain/index.js';
import type { Page, WorkItemView } from '../../tracker/index.js';
import { useState } from 'preact/hooks';
import { enc, get, post } from '../api.js';
import { ago, text as show, when } from '../format.js';
import { touches, useFeed } from '../live.js';
import { href } from '../router.js';
import { Head, Problem, toast, useAction, useLoad } from '../ui.js';

/** Same-field decisions a merge or a sync made and nobody settled yet: take ours, theirs, or another value. */
export function Conflicts() {
  const conflicts = useLoad(async () => {
    const page = await get<Page<Conflict>>('/conflicts?limit=500');
    // Items by the key people know (the list holds ids): a lookup per item, conflicts are few.
    const ids = [...new Set(page.items.filter((c) => c.entity_type === 'work_items').map((c) => c.record_id))];
    const found = await Promise.all(ids.map((id) => get<WorkItemView>(`/work_items/${enc(id)}`).catch(() => undefined)));
    const keys = new Map(found.flatMap((item) => (item ? [[item.id, item.key] as const] : [])));
    return { ...page, keys };
  }, []);
  useFeed((m) => m.type === 'changes' && touches(m.data, 'conflicts') && void conflicts.reload());
  const [other, setOther] = useState<{ id: string; value: string } | undefined>();
  const { busy, run } = useAction();
  const resolve = (c: Conflict, choice: object) =>
    void run(async () => {
      await post(`/conflicts/${enc(c.id)}/resolve`, choice);
      toast(`Resolved ${c.field}`);
      setOther(undefined);
      await conflicts.reload();
    });
  return (
    <section class="panel">
      <h2>Conflicts ({conflicts.data?.total ?? '…'})</h2>
      <Problem error={conflicts.error} />
      <table class="list conflicts">
        <Head columns={['found', 'record', 'field', 'ours (pm)', 'theirs', 'kept for now', 'settle']} />
        <tbody>
          {conflicts.data?.items.map((c) => (
            <tr key={c.id} data-conflict={c.id}>
              <td title={when(c.detected_at)}>{ago(c.detected_at)}</td>
              <td>
                {c.entity_type === 'work_items' ? (
                  <a href={href(`/items/${conflicts.data?.keys.get(c.record_id) ?? c.record_id}`)}>
                    {conflicts.data?.keys.get(c.record_id) ?? `item ${c.record_id.slice(-8)}`}
                  </a>
                ) : (
                  `${c.entity_type} ${c.record_id.slice(-8)}`
                )}
                <div class="muted small">{c.reason}</div>
              </td>
              <td>{c.field}</td>
              <td class="ours">{show(c.ours_value)}</td>
              <td class="theirs">{show(c.theirs_value)}</td>
              <td>{c.winner}</td>
              <td class="actions">
                <button disabled={busy} onClick={() => resolve(c, { take: 'ours' })}>
                  Take ours
                </button>
                <button disabled={busy} onClick={() => resolve(c, { take: 'theirs' })}>
                  Take theirs
                </button>
                {other && other.id === c.id ? (
                  <form
                    class="row"
                    onSubmit={(e) => {
                      e.preventDefault();
                      resolve(c, { value: other.value });
                    }}
                  >
                    <input
                      aria-label="Value"
                      value={other.value}
                      onInput={(e) => setOther({ id: c.id, value: e.currentTarget.value })}
                    />
                    <button disabled={busy}>Set</button>
                  </form>
                ) : (
                  <button class="link" onClick={() => setOther({ id: c.id, value: show(c.ours_value) })}>
                    Other value…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {conflicts.data?.items.length === 0 && <p class="muted">No unresolved conflicts.</p>}
    </section>
  );
}
