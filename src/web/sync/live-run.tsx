import { useEffect, useState } from 'preact/hooks';
import { enc, post } from '../api.js';
import { openStream } from '../events.js';
import { millis, plural } from '../format.js';
import { href } from '../router.js';
import { Badge, useAction } from '../ui.js';
import { Counters, FINISHED, type SyncRun, type SyncRunItem } from './types.js';

interface Waiting {
  reason: 'rate_limited' | 'retry';
  until: string;
  message: string;
}

interface Live {
  run: SyncRun | undefined;
  phase: string;
  done: number;
  total: number;
  counters: Record<string, Record<string, number>>;
  /** Records the run acted on so far (done, failed or planned). */
  records: number;
  failed: number;
  waiting: Waiting | undefined;
}

const EMPTY: Live = {
  run: undefined,
  phase: 'queued',
  done: 0,
  total: 0,
  counters: {},
  records: 0,
  failed: 0,
  waiting: undefined,
};

function withItem(live: Live, item: SyncRunItem): Live {
  const byType = { ...live.counters[item.entity_type] };
  const what = item.status === 'failed' ? 'failed' : item.operation;
  byType[what] = (byType[what] ?? 0) + 1;
  return {
    ...live,
    counters: { ...live.counters, [item.entity_type]: byType },
    records: live.records + 1,
    failed: live.failed + (item.status === 'failed' ? 1 : 0),
  };
}

/** A run as it happens, over its event stream: phase, progress, counters, waits; cancel while it runs. */
export function LiveRun({ runId, onFinished }: { runId: string; onFinished?: (run: SyncRun) => void }) {
  const [live, setLive] = useState<Live>(EMPTY);
  const [now, setNow] = useState(Date.now());
  const { busy, run } = useAction();

  useEffect(() => {
    setLive(EMPTY);
    let finished = false;
    const stream = openStream(`/sync/runs/${enc(runId)}/events`, {
      retry: () => !finished,
      onEvent: (event, data) => {
        if (event === 'run_started') setLive((l) => ({ ...l, run: data as SyncRun, phase: 'starting' }));
        else if (event === 'progress') {
          const p = data as { phase: string; done: number; total: number };
          setLive((l) => ({ ...l, phase: p.phase, done: p.done, total: p.total, waiting: undefined }));
        } else if (event === 'waiting') setLive((l) => ({ ...l, waiting: data as Waiting }));
        else if (event.startsWith('item_')) setLive((l) => withItem(l, data as SyncRunItem));
        else if (event === 'run_finished') {
          finished = true;
          setLive((l) => ({ ...l, run: data as SyncRun, waiting: undefined }));
          onFinished?.(data as SyncRun);
        }
      },
    });
    return () => stream.stop();
  }, [runId]);

  useEffect(() => {
    if (!live.waiting) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [live.waiting]);

  const status = live.run?.status ?? 'queued';
  const over = FINISHED.includes(status);
  const percent = live.total > 0 ? Math.round((live.done / live.total) * 100) : over ? 100 : 0;
  const left = live.waiting ? Math.max(0, Math.ceil((Date.parse(live.waiting.until) - now) / 1000)) : 0;
  return (
    <section class="panel live-run" data-run={runId} data-run-status={status} aria-live="polite">
      <header class="row">
        <h3>
          Run <a href={href(`/sync/runs/${runId}`)}>{runId.slice(-12)}</a>{' '}
          {live.run && <span class="muted">{live.run.connection}</span>}
        </h3>
        <Badge value={status} />
        <span class="spacer" />
        {!over && (
          <button
            class="danger"
            disabled={busy || (live.run?.cancel_requested_at !== null && live.run?.cancel_requested_at !== undefined)}
            onClick={() => void run(() => post(`/sync/runs/${enc(runId)}/cancel`))}
          >
            Cancel
          </button>
        )}
      </header>
      <p class="phase">
        {over ? (
          `Finished in ${millis(live.run?.duration_ms)}`
        ) : (
          <>
            Phase: {live.phase} ·{' '}
            <span class="progress-text">
              {live.done} / {live.total}
            </span>
          </>
        )}{' '}
        · <span class="records">{plural(live.records, 'record')}</span>
        {live.failed > 0 && <span class="bad"> · {live.failed} failed</span>}
      </p>
      <progress max={100} value={percent} aria-label="Progress" />
      {live.waiting && !over && (
        <p class="waiting" role="status">
          {live.waiting.reason === 'rate_limited' ? 'Rate-limited by the remote' : 'Retrying after an error'}: waiting {left}s ·{' '}
          <span class="muted">{live.waiting.message}</span>
        </p>
      )}
      {live.run?.error && <p class="problem">{live.run.error}</p>}
      <Counters counters={live.counters} />
    </section>
  );
}
