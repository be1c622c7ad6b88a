import { enc, get, post } from '../api.js';
import { ago, when } from '../format.js';
import { useFeed } from '../live.js';
import { Head, Problem, toast, useAction, useLoad } from '../ui.js';
import { RecordLinks } from './record-links.js';
import type { Failure } from './types.js';

/** Records that failed in a run and were not retried since; retry one or all. */
export function Failures({ onStarted }: { onStarted: (runId: string) => void }) {
  const failures = useLoad(() => get<{ items: Failure[]; total: number }>('/sync/failures?limit=200'), []);
  useFeed((m) => m.type === 'sync' && void failures.reload());
  const { busy, run } = useAction();
  const started = async (answer: Promise<{ sync_id: string | null }>) => {
    const { sync_id } = await answer;
    if (sync_id) {
      toast('Retry started');
      onStarted(sync_id);
    } else toast('Nothing to retry');
    await failures.reload();
  };
  const connections = [...new Set(failures.data?.items.map((f) => f.connection))];
  return (
    <section class="panel">
      <header class="row">
        <h2>Failures ({failures.data?.total ?? '…'})</h2>
        <span class="spacer" />
        {connections.map((c) => (
          <button
            key={c}
            class="primary"
            disabled={busy}
            onClick={() => void run(() => started(post<{ sync_id: string | null }>('/sync/retry', { connection: c })))}
          >
            Retry all{connections.length > 1 ? ` of ${c}` : ''}
          </button>
        ))}
      </header>
      <Problem error={failures.error} />
      <table class="list failures">
        <Head columns={['when', 'record', 'what', 'error', 'tries', '']} />
        <tbody>
          {failures.data?.items.map((f) => (
            <tr key={f.id} data-failure={f.id}>
              <td title={when(f.created_at)}>{ago(f.created_at)}</td>
              <td>
                <RecordLinks item={f} />
              </td>
              <td>
                {f.direction} {f.operation}
              </td>
              <td class="error">{f.error}</td>
              <td>{f.attempts}</td>
              <td>
                <button disabled={busy} onClick={() => void run(() => started(post(`/sync/failures/${enc(f.id)}/retry`)))}>
                  Retry
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {failures.data?.items.length === 0 && <p class="muted">No open failures.</p>}
    </section>
  );
}
