import { post } from '../api.js';
import { ago, millis, when } from '../format.js';
import { href } from '../router.js';
import { Badge, useAction } from '../ui.js';
import type { Connection } from './types.js';

const STATUS_TEXT: Record<string, string> = {
  no_key: 'no API key',
  running: 'running',
  never_run: 'never run',
  ok: 'in step',
  errors: 'last run had errors',
  failed: 'last run failed',
  cancelled: 'last run cancelled',
};

export function Connections(props: { connections: readonly Connection[]; onStarted: (runId: string) => void }) {
  const { busy, run } = useAction();
  if (props.connections.length === 0)
    return (
      <section class="panel">
        <h2>Connections</h2>
        <p class="muted">
          None yet. Connect a tracker from the repository: <code>pm connect redmine --url URL --project ID</code>
        </p>
      </section>
    );
  return (
    <section class="connections">
      {props.connections.map((c) => (
        <article key={c.name} class="panel connection" data-connection={c.name}>
          <header class="row">
            <h2>{c.name}</h2>
            <Badge value={c.status} title={STATUS_TEXT[c.status]} />
            <span class="spacer" />
            <button
              class="primary"
              disabled={busy || c.status === 'running' || c.key === 'missing'}
              onClick={() =>
                void run(async () => {
                  const started = await post<{ sync_id: string }>('/sync/runs', { connection: c.name });
                  props.onStarted(started.sync_id);
                })
              }
            >
              Sync now
            </button>
          </header>
          <dl class="facts">
            <dt>Remote</dt>
            <dd>
              {c.kind} ·{' '}
              <a href={c.url} target="_blank" rel="noopener noreferrer">
                {c.url}
              </a>{' '}
              · project {c.project}
            </dd>
            <dt>Syncs</dt>
            <dd>
              {c.pm_project ?? 'the only project'} · conflicts: {c.strategy.replace(/_/g, ' ')}
            </dd>
            <dt>Last run</dt>
            <dd>
              {c.last_run ? (
                <>
                  <a href={href(`/sync/runs/${c.last_run.id}`)}>{c.last_run.status.replace(/_/g, ' ')}</a>{' '}
                  <span title={when(c.last_run.finished_at)}>{ago(c.last_run.finished_at)}</span> ·{' '}
                  {millis(c.last_run.duration_ms)}
                </>
              ) : (
                'never'
              )}
            </dd>
            <dt>Last success</dt>
            <dd title={when(c.last_success_at)}>{c.last_success_at ? ago(c.last_success_at) : 'never'}</dd>
            <dt>Next run</dt>
            <dd class="next-run">
              {c.next_run_at ? (
                <span title={when(c.next_run_at)}>
                  {ago(c.next_run_at)} (every {Math.round((c.every_ms ?? 0) / 60_000)} min)
                </span>
              ) : (
                <span class="muted">not scheduled (every = "15m" in config.toml)</span>
              )}
            </dd>
            <dt>Open failures</dt>
            <dd>{c.open_failures > 0 ? <a href={href('/sync', { tab: 'failures' })}>{c.open_failures}</a> : '0'}</dd>
            {c.key === 'missing' && (
              <>
                <dt>Key</dt>
                <dd class="bad">missing: set it in the server's environment or .pm/secrets.toml</dd>
              </>
            )}
          </dl>
        </article>
      ))}
    </section>
  );
}
