import type { Sprint, SwimLane, WorkItem } from '../../domain/index.js';
import type { ItemDetails, Page, WorkItemView } from '../../tracker/index.js';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, enc, get, patch, query } from '../api.js';
import { ago, when } from '../format.js';
import { touches, useFeed } from '../live.js';
import { href, navigate } from '../router.js';
import { Problem, toast, useAction, useLoad } from '../ui.js';
import { Comments } from './comments.js';
import { Dependencies } from './dependencies.js';
import { EditConflict } from './edit-conflict.js';
import { ItemFields, changedFields, draftOf, patchOf, type Draft } from './fields.js';
import { TimeEntries } from './time.js';

export const projectKeyOf = (key: string) => key.slice(0, key.lastIndexOf('-'));

export function ItemPage({ itemRef }: { itemRef: string }) {
  const details = useLoad(() => get<ItemDetails>(`/work_items/${enc(itemRef)}/details`), [itemRef]);
  const project = details.data ? projectKeyOf(details.data.item.key) : '';
  const lanes = useLoad(
    () => (project ? get<Page<SwimLane>>(`/swim_lanes${query({ project })}`) : Promise.resolve(undefined)),
    [project],
  );
  const sprints = useLoad(
    () => (project ? get<Page<Sprint>>(`/sprints${query({ project })}`) : Promise.resolve(undefined)),
    [project],
  );
  const [base, setBase] = useState<{ draft: Draft; version: number } | undefined>();
  const [draft, setDraft] = useState<Draft | undefined>();
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const [conflict, setConflict] = useState<WorkItem | undefined>();
  const { busy, run } = useAction();

  const item = details.data?.item;
  const dirty = draft && base ? changedFields(draft, base.draft) : [];

  // A fresh load becomes the base; a draft with edits is kept (it is the user's work).
  useEffect(() => {
    if (!details.data) return;
    const loaded = { draft: draftOf(details.data.item, details.data.parent?.key ?? null), version: details.data.item.version };
    setBase(loaded);
    setDraft((current) => (current && base && changedFields(current, base.draft).length > 0 ? current : loaded.draft));
    setChangedElsewhere(false);
  }, [details.data]);

  useFeed((message) => {
    if (message.type !== 'changes' || !item) return;
    const ids = message.data.changes;
    const mine = (ids.work_items ?? []).includes(item.id);
    if (mine && dirty.length > 0) setChangedElsewhere(true);
    else if (mine || touches(message.data, 'comments', 'dependencies', 'time_entries')) void details.reload();
  });

  async function save(version: number) {
    if (!item || !draft) return;
    try {
      await patch<WorkItemView>(`/work_items/${enc(item.id)}`, { ...patchOf(draft, dirty), version });
      setBase(undefined);
      setDraft(undefined);
      toast(`Saved ${item.key}`);
      await details.reload();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'version_conflict') {
        setConflict((error.details as { current: WorkItem }).current);
        return;
      }
      throw error;
    }
  }

  if (details.error && !details.data) return <Problem error={details.error} />;
  if (!details.data || !item || !draft || !base) return <p class="muted">Loading…</p>;
  const d = details.data;
  return (
    <article class="item-page">
      <header class="item-head">
        <a href={href('/board', { project })}>← Board</a>
        <h1>
          <span class="key">{item.key}</span> {item.title}
        </h1>
        <p class="muted">
          {item.item_type} · version {item.version} · created {when(item.created_at)} by {item.created_by} · changed{' '}
          {ago(item.updated_at)} by {item.updated_by}
          {d.aliases.length > 0 && ` · also known as ${d.aliases.join(', ')}`}
        </p>
      </header>
      {changedElsewhere && (
        <p class="notice" role="alert">
          Someone changed this item while you were editing. Saving will show you both versions first.{' '}
          <button
            onClick={() => {
              setDraft(undefined);
              setBase(undefined);
              void details.reload();
            }}
          >
            Discard mine, load theirs
          </button>
        </p>
      )}
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => save(base.version));
        }}
      >
        <ItemFields
          draft={draft}
          onChange={setDraft}
          lanes={lanes.data?.items ?? []}
          sprints={sprints.data?.items ?? []}
          changed={dirty}
        />
        <footer>
          <button class="primary" disabled={busy || dirty.length === 0}>
            Save
          </button>
          <button type="button" disabled={dirty.length === 0} onClick={() => setDraft(base.draft)}>
            Undo changes
          </button>
          <span class="spacer" />
          <button
            type="button"
            class="danger"
            onClick={() => {
              if (!confirm(`Delete ${item.key}? It becomes a tombstone that syncs.`)) return;
              void run(async () => {
                await del(`/work_items/${enc(item.id)}`);
                navigate(href('/board', { project }));
              });
            }}
          >
            Delete
          </button>
        </footer>
      </form>
      <div class="columns">
        <section class="panel">
          <h2>Hierarchy</h2>
          <p>
            Parent:{' '}
            {d.parent ? (
              <a href={href(`/items/${d.parent.key}`)}>{`${d.parent.key} ${d.parent.title}`}</a>
            ) : (
              <span class="muted">none</span>
            )}
          </p>
          {d.children.length > 0 && (
            <ul class="plain">
              {d.children.map((c) => (
                <li key={c.id}>
                  <a href={href(`/items/${c.key}`)}>{c.key}</a> {c.title} <span class="muted">{c.status}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <Dependencies details={d} onChange={() => void details.reload()} />
        <TimeEntries details={d} onChange={() => void details.reload()} />
      </div>
      <Comments details={d} onChange={() => void details.reload()} />
      {conflict && (
        <EditConflict
          item={item}
          base={base.draft}
          mine={draft}
          current={conflict}
          sprints={sprints.data?.items ?? []}
          onOverwrite={() => {
            const version = conflict.version;
            setConflict(undefined);
            void run(() => save(version));
          }}
          onDiscard={() => {
            setConflict(undefined);
            setDraft(undefined);
            setBase(undefined);
            void details.reload();
          }}
          onClose={() => setConflict(undefined)}
        />
      )}
    </article>
  );
}
