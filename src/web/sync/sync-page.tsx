import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { syncActivity, useFeed } from '../live.js';
import { href, route } from '../router.js';
import { Problem, useLoad } from '../ui.js';
import { Audit } from './audit.js';
import { Conflicts } from './conflicts.js';
import { Connections } from './connections.js';
import { Failures } from './failures.js';
import { LiveRun } from './live-run.js';
import { Runs } from './runs.js';
import type { Connection } from './types.js';

const TABS = [
  ['overview', 'Overview'],
  ['runs', 'Runs'],
  ['failures', 'Failures'],
  ['conflicts', 'Conflicts'],
  ['audit', 'Audit log'],
] as const;

/** Sync with remote trackers: connections, the run going on, history, failures, conflicts, audit. */
export function SyncPage() {
  const tab = route.value.params.get('tab') ?? 'overview';
  const connections = useLoad(() => get<{ connections: Connection[] }>('/sync/connections'), []);
  const [shown, setShown] = useState<string[]>([]);
  useFeed((m) => m.type === 'sync' && void connections.reload());
  // Runs started anywhere (here, another tab, the CLI, the schedule) show up live.
  const active = syncActivity.value.active.map((r) => r.id);
  useEffect(() => {
    if (active.some((id) => !shown.includes(id))) setShown((ids) => [...new Set([...active, ...ids])].slice(0, 3));
  }, [active.join()]);
  const follow = (id: string) => setShown((ids) => [id, ...ids.filter((i) => i !== id)].slice(0, 3));
  const list = connections.data?.connections ?? [];
  return (
    <section class="sync-page">
      <nav class="tabs" aria-label="Sync">
        {TABS.map(([id, label]) => (
          <a key={id} href={href('/sync', { tab: id })} aria-current={tab === id ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <Problem error={connections.error} />
      {shown.map((id) => (
        <LiveRun key={id} runId={id} onFinished={() => void connections.reload()} />
      ))}
      {tab === 'overview' && (
        <>
          <Connections connections={list} onStarted={follow} />
          <Runs connections={list} compact />
        </>
      )}
      {tab === 'runs' && <Runs connections={list} />}
      {tab === 'failures' && <Failures onStarted={follow} />}
      {tab === 'conflicts' && <Conflicts />}
      {tab === 'audit' && <Audit />}
    </section>
  );
}
