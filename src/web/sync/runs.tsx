import { get, query } from '../api.js';
import { ago, millis, when } from '../format.js';
import { useFeed } from '../live.js';
import { href, navigate, route } from '../router.js';
import { Badge, Head, Problem, useLoad } from '../ui.js';
import { overwriteNote, summary, type Connection, type SyncRun } from './types.js';

const STATUSES = ['queued', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled'];
const PAGE = 20;

/** Run history, newest first, by connection and status, a page at a time. */
export function Runs({ connections, compact }: { connections: readonly Connection[]; compact?: boolean }) {
  const params = route.value.params;
  const connection = params.get('connection') ?? '';
  const status = params.get('status') ?? '';
  const offset = Number(params.get('offset') ?? 0);
  const limit = compact ? 5 : PAGE;
  const runs = useLoad(
    () =>
      get<{ runs: SyncRun[]; total: number }>(`/sync/runs${query({ connection, status, limit, offset: compact ? 0 : offset })}`),
    [connection, status, offset, limit],
  );
  useFeed((m) => m.type === 'sync' && void runs.reload());
  const set = (name: string, value: string) =>
    navigate(
      href('/sync', { tab: 'runs', connection, status, [name]: value, ...(name !== 'offset' ? { offset: '' } : {}) }),
      true,
    );
  return (
    <section class="panel">
      <header class="row">
        <h2>{compact ? 'Recent runs' : 'Run history'}</h2>
        <span class="spacer" />
        {compact ? (
          <a href={href('/sync', { tab: 'runs' })}>All runs →</a>
        ) : (
          <>
            <select aria-label="Connection" value={connection} onChange={(e) => set('connection', e.currentTarget.value)}>
              <option value="">All connections</option>
              {connections.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
            <select aria-label="Status" value={status} onChange={(e) => set('status', e.currentTarget.value)}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </>
        )}
      </header>
      <Problem error={runs.error} />
      <table class="list runs">
        <Head columns={['started', 'connection', 'run', 'status', 'took', 'what it did', 'by']} />
        <tbody>
          {runs.data?.runs.map((r) => (
            <tr key={r.id} data-run={r.id}>
              <td title={when(r.started_at ?? r.created_at)}>{ago(r.started_at ?? r.created_at)}</td>
              <td>{r.connection}</td>
              <td>
                <a href={href(`/sync/runs/${r.id}`)}>{r.id.slice(-12)}</a> {r.mode} {r.direction}
                {r.dry_run && <span class="tag">dry run</span>}
                {r.overwrite_mode && (
                  <span class="tag overwrite" title={overwriteNote(r)}>
                    overwrite
                  </span>
                )}
                {r.retry_of && <span class="tag">retry</span>}
              </td>
              <td>
                <Badge value={r.status} />
              </td>
              <td>{millis(r.duration_ms)}</td>
              <td>{r.error ?? summary(r.counters)}</td>
              <td>{r.requested_by}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.data && runs.data.runs.length === 0 && <p class="muted">No runs yet.</p>}
      {!compact && runs.data && runs.data.total > PAGE && (
        <nav class="pager row">
          <button disabled={offset === 0} onClick={() => set('offset', String(Math.max(0, offset - PAGE)))}>
            Newer
          </button>
          <span class="muted">
            {offset + 1}–{Math.min(offset + PAGE, runs.data.total)} of {runs.data.total}
          </span>
          <button disabled={offset + PAGE >= runs.data.total} onClick={() => set('offset', String(offset + PAGE))}>
            Older
          </button>
        </nav>
      )}
    </section>
  );
}
