import { get, query } from '../api.js';
import { ago, when } from '../format.js';
import { useFeed } from '../live.js';
import { href, navigate, route } from '../router.js';
import { Head, Problem, useLoad } from '../ui.js';
import type { AuditEntry } from './types.js';

const ACTIONS = [
  'sync_requested',
  'sync_started',
  'sync_completed',
  'sync_failed',
  'sync_cancelled',
  'sync_cancel_requested',
  'snapshot_imported',
  'snapshot_import_refused',
  'snapshot_exported',
  'token_created',
  'token_revoked',
];
const PAGE = 50;

/** Who asked for what, from where: sync runs, snapshot imports and exports, token changes. */
export function Audit() {
  const params = route.value.params;
  const action = params.get('action') ?? '';
  const offset = Number(params.get('offset') ?? 0);
  const audit = useLoad(
    () => get<{ items: AuditEntry[]; total: number }>(`/audit${query({ action, limit: PAGE, offset })}`),
    [action, offset],
  );
  useFeed((m) => m.type === 'sync' && offset === 0 && void audit.reload());
  const set = (name: string, value: string) => navigate(href('/sync', { tab: 'audit', action, offset: '', [name]: value }), true);
  return (
    <section class="panel">
      <header class="row">
        <h2>Audit log</h2>
        <span class="spacer" />
        <select aria-label="Action" value={action} onChange={(e) => set('action', e.currentTarget.value)}>
          <option value="">Every action</option>
          {ACTIONS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </header>
      <Problem error={audit.error} />
      <table class="list audit">
        <Head columns={['when', 'who', 'action', 'of', 'from', 'details']} />
        <tbody>
          {audit.data?.items.map((e) => (
            <tr key={e.id}>
              <td title={when(e.at)}>{ago(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>
                {e.entity_id && e.entity_type === 'sync_run' ? (
                  <a href={href(`/sync/runs/${e.entity_id}`)}>{e.entity_id.slice(-12)}</a>
                ) : (
                  (e.entity_id?.slice(-12) ?? '—')
                )}
              </td>
              <td title={e.user_agent ?? ''}>{e.source_ip ?? 'this machine'}</td>
              <td class="details">{JSON.stringify(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager row">
        <button disabled={offset === 0} onClick={() => set('offset', String(Math.max(0, offset - PAGE)))}>
          Newer
        </button>
        <button disabled={offset + PAGE >= (audit.data?.total ?? 0)} onClick={() => set('offset', String(offset + PAGE))}>
          Older
        </button>
      </nav>
    </section>
  );
}
