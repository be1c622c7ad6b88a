import type { Project } from '../../domain/index.js';
import type { Page, WorkItemView } from '../../tracker/index.js';
import { get, query } from '../api.js';
import { touches, useFeed } from '../live.js';
import { href, navigate, route } from '../router.js';
import { Problem, useLoad } from '../ui.js';

/** Open items nothing open blocks, most urgent first: what to pick up next. */
export function ReadyPage() {
  const project = route.value.params.get('project') ?? '';
  const projects = useLoad(() => get<Page<Project>>('/projects'), []);
  const ready = useLoad(() => get<{ items: WorkItemView[] }>(`/ready${query({ project, limit: 200 })}`), [project]);
  useFeed((m) => m.type === 'changes' && touches(m.data, 'work_items', 'dependencies') && void ready.reload());
  return (
    <section class="panel">
      <header class="row">
        <h1>Ready to work on</h1>
        <span class="spacer" />
        <select
          aria-label="Project"
          value={project}
          onChange={(e) => navigate(href('/ready', { project: e.currentTarget.value }), true)}
        >
          <option value="">All projects</option>
          {projects.data?.items.map((p) => (
            <option key={p.id} value={p.key}>
              {p.key}
            </option>
          ))}
        </select>
      </header>
      <Problem error={ready.error} />
      <table class="list">
        <thead>
          <tr>
            <th>key</th>
            <th>title</th>
            <th>priority</th>
            <th>status</th>
            <th>assignee</th>
          </tr>
        </thead>
        <tbody>
          {ready.data?.items.map((i) => (
            <tr key={i.id}>
              <td>
                <a href={href(`/items/${i.key}`)}>{i.key}</a>
              </td>
              <td>{i.title}</td>
              <td>
                <span class={`prio p-${i.priority}`}>{i.priority}</span>
              </td>
              <td>{i.status}</td>
              <td>{i.assignee_id ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ready.data?.items.length === 0 && <p class="muted">Nothing is ready: every open item is blocked, or there are none.</p>}
    </section>
  );
}
