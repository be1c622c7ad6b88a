import type { ItemDetails } from '../../tracker/index.js';
import { useState } from 'preact/hooks';
import { enc, patch, post } from '../api.js';
import { ago, when } from '../format.js';
import { RemoveButton, useAction } from '../ui.js';

export function Comments({ details, onChange }: { details: ItemDetails; onChange: () => void }) {
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<{ id: string; text: string; version: number } | undefined>();
  const { busy, run } = useAction();
  return (
    <section class="panel comments">
      <h2>Comments ({details.comments.length})</h2>
      <ol class="plain">
        {details.comments.map((c) => (
          <li key={c.id} class="comment">
            <header>
              <strong>{c.created_by}</strong> <span title={when(c.created_at)}>{ago(c.created_at)}</span>
              {c.updated_at !== c.created_at && <span class="muted"> · edited</span>}
              <span class="spacer" />
              <button class="link" onClick={() => setEditing({ id: c.id, text: c.content, version: c.version })}>
                Edit
              </button>
              <RemoveButton path={`/comments/${enc(c.id)}`} onDone={onChange} label="Delete" question="Delete this comment?" />
            </header>
            {editing?.id === c.id ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void run(async () => {
                    await patch(`/comments/${enc(c.id)}`, { content: editing.text, version: editing.version });
                    setEditing(undefined);
                    onChange();
                  });
                }}
              >
                <textarea
                  rows={3}
                  value={editing.text}
                  onInput={(e) => setEditing({ ...editing, text: e.currentTarget.value })}
                />
                <button class="primary" disabled={busy}>
                  Save comment
                </button>
                <button type="button" onClick={() => setEditing(undefined)}>
                  Cancel
                </button>
              </form>
            ) : (
              <p class="pre">{c.content}</p>
            )}
          </li>
        ))}
      </ol>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await post('/comments', { item: details.item.id, content: text });
            setText('');
            onChange();
          });
        }}
      >
        <label>
          Add a comment
          <textarea name="comment" rows={3} required value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button class="primary" disabled={busy || text.trim() === ''}>
          Comment
        </button>
      </form>
    </section>
  );
}
