import type { ItemDetails } from '../../tracker/index.js';
import { useState } from 'preact/hooks';
import { enc, post } from '../api.js';
import { ago, hours, parseDuration } from '../format.js';
import { RemoveButton, toast, useAction } from '../ui.js';

export function TimeEntries({ details, onChange }: { details: ItemDetails; onChange: () => void }) {
  const [duration, setDuration] = useState('');
  const [note, setNote] = useState('');
  const { busy, run } = useAction();
  const running = details.time_entries.find((t) => t.ended_at === null);
  return (
    <section class="panel">
      <h2>Time · {hours(details.total_seconds)}</h2>
      <ul class="plain">
        {details.time_entries.map((t) => (
          <li key={t.id}>
            {t.ended_at === null ? <strong>running since {ago(t.started_at)}</strong> : hours(t.duration_seconds ?? 0)} ·{' '}
            {t.user_id} · {ago(t.started_at)}
            {t.description && <span class="muted"> · {t.description}</span>}
            <RemoveButton path={`/time_entries/${enc(t.id)}`} onDone={onChange} />
          </li>
        ))}
      </ul>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const seconds = parseDuration(duration);
          if (seconds === undefined) return toast(`"${duration}" is not a duration: try 1h30m, 45m or 1:30`, 'error');
          void run(async () => {
            await post('/time_entries', {
              item: details.item.id,
              duration_seconds: seconds,
              ...(note ? { description: note } : {}),
            });
            setDuration('');
            setNote('');
            onChange();
          });
        }}
      >
        <input
          aria-label="Duration"
          required
          placeholder="1h30m"
          size={7}
          value={duration}
          onInput={(e) => setDuration(e.currentTarget.value)}
        />
        <input
          aria-label="What was done"
          placeholder="what was done"
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <button disabled={busy}>Log time</button>
        {running ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await post('/time_entries/stop');
                onChange();
              })
            }
          >
            Stop timer
          </button>
        ) : (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await post('/time_entries/start', { item: details.item.id });
                onChange();
              })
            }
          >
            Start timer
          </button>
        )}
      </form>
    </section>
  );
}
