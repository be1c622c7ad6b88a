import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { useAction } from '../ui.js';

/** The first thing a new repository needs: a project. */
export function NewProject({ onCreated }: { onCreated: () => void }) {
  const [key, setKey] = useState('');
  const [title, setTitle] = useState('');
  const { busy, run } = useAction();
  return (
    <section class="panel narrow">
      <h2>No project yet</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await post('/projects', { key, title });
            onCreated();
          });
        }}
      >
        <label>
          Key
          <input required value={key} placeholder="WEB" onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <label>
          Title
          <input required value={title} placeholder="Website relaunch" onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <button class="primary" disabled={busy}>
          Create project
        </button>
      </form>
    </section>
  );
}
