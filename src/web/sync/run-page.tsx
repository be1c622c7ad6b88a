import { useState } from 'preact/hooks';
import { enc, get } from '../api.js';
import { millis, when } from '../format.js';
import { href } from '../router.js';
import { Badge, Head, Problem, useLoad } from '../ui.js';
import { LiveRun } from './live-run.js';
import { RecordLinks } from './record-links.js';
import { Counters, FINISHED, overwriteNote, type RunItem, type SyncRun } from './types.js';

const ITEM_STATUSES = ['', 'done', 'failed', 'planned', 'retried'];

/** One run: what was asked, how it went, and every record it touched, linked on both sides. */
export function RunPage({ runId }: { runId: string }) {
  const detail = useLoad(() => get<{ run: SyncRun; items: RunItem[] }>(`/sync/runs/${enc(runId)}`), [runId]);
  const [status, setStatus] = useState('');
  const [entity, setEntity] = useState('');
  if (detail.error && !detail.data) return <Problem error={detail.error} />;
  if (!detail.data) return <p class="muted">Loading…</p>;
  const { run, items } = detail.data;
  const entities = [...new Set(items.map((i) => i.entity_type))];
  const shown = items.filter((i) => (!status || i.status === status) && (!entity || i.entity_type === entity));
  return (
    <article>
      <p>
        <a href={href('/sync', { tab: 'runs' })}>← Runs</a>
      </p>
      <h1>
        Run {run.id.slice(-12)} <Badge value={run.status} />
      </h1>
      {!FINISHED.includes(run.status) && <LiveRun runId={run.id} onFinished={() => void detail.reload()} />}
      <section class="panel">
        <dl class="facts">
          <dt>Connection</dt>
          <dd>{run.connection}</dd>
          <dt>Mode</dt>
          <dd>
            {run.mode} · {run.direction}
            {run.dry_run ? ' · dry run (nothing written)' : ''}
          </dd>
          {run.overwrite_mode && (
            <>
              <dt>Overwrite</dt>
              <dd class="overwrite">{overwriteNote(run)}</dd>
            </>
          )}
          <dt>Requested</dt>
          <dd>
            {when(run.created_at)} by {run.requested_by}
          </dd>
          <dt>Ran</dt>
          <dd>
            {when(run.started_at)} → {when(run.finished_at)} ({millis(run.duration_ms)})
          </dd>
          {run.retry_of && (
            <>
              <dt>Retries</dt>
              <dd>
                <a href={href(`/sync/runs/${run.retry_of}`)}>{run.retry_of.slice(-12)}</a>
              </dd>
            </>
          )}
          {run.error && (
            <>
              <dt>Error</dt>
              <dd class="bad">{run.error}</dd>
            </>
          )}
        </dl>
        <Counters counters={run.counters} />
      </section>
      <section class="panel">
        <header class="row">
          <h2>Records ({shown.length})</h2>
          <span class="spacer" />
          <select aria-label="Entity" value={entity} onChange={(e) => setEntity(e.currentTarget.value)}>
            <option value="">Every type</option>
            {entities.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
          <select aria-label="Item status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {ITEM_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'Any outcome'}
              </option>
            ))}
          </select>
        </header>
        <table class="list run-items">
          <Head columns={['#', 'record', 'what', 'outcome', 'tries', 'error']} />
          <tbody>
            {shown.map((i) => (
              <tr key={i.id}>
                <td>{i.seq}</td>
                <td>
                  <RecordLinks item={i} />
                </td>
                <td>
                  {i.direction} {i.operation}
                </td>
                <td>
                  <Badge value={i.status} />
                </td>
                <td>{i.attempts}</td>
                <td class="error">{i.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}
