import type { Project } from '../../domain/index.js';
import type { Page, WorkItemView } from '../../tracker/index.js';
import { get, query } from '../api.js';
import { touches, useFeed } from '../live.js';
import { href, navigate, route } from '../router.js';
import { Head, Problem, ProjectSelect, useLoad } from '../ui.js';

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
        <ProjectSelect
          projects={projects.data?.items}
          value={project}
          none="All projects"
          onChange={(key) => navigate(href('/ready', { project: key }), true)}
        />
      </header>
      <Problem error={ready.error} />
      <table class="list">
        <Head columns={['key', 'title', 'priority', 'status', 'assignee']} />
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
