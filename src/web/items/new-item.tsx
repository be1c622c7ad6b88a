import type { Project, Sprint, SwimLane } from '../../domain/index.js';
import type { Page, WorkItemView } from '../../tracker/index.js';
import { useState } from 'preact/hooks';
import { get, post, query } from '../api.js';
import { href, navigate, route } from '../router.js';
import { ProjectSelect, toast, useAction, useLoad } from '../ui.js';
import { ItemFields, DRAFT_FIELDS, patchOf, type Draft } from './fields.js';

export function NewItemPage() {
  const params = route.value.params;
  const projects = useLoad(() => get<Page<Project>>('/projects'), []);
  const [project, setProject] = useState(params.get('project') ?? '');
  const key = project || projects.data?.items[0]?.key || '';
  const lanes = useLoad(
    () => (key ? get<Page<SwimLane>>(`/swim_lanes${query({ project: key })}`) : Promise.resolve(undefined)),
    [key],
  );
  const sprints = useLoad(
    () => (key ? get<Page<Sprint>>(`/sprints${query({ project: key })}`) : Promise.resolve(undefined)),
    [key],
  );
  const [draft, setDraft] = useState<Draft>({
    title: '',
    description: '',
    item_type: 'task',
    status: params.get('status') ?? '',
    priority: 'medium',
    assignee: '',
    sprint: '',
    parent: '',
    story_points: '',
  });
  const { busy, run } = useAction();
  const status = draft.status || lanes.data?.items[0]?.status_value || '';
  return (
    <section class="panel">
      <h1>New item</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const filled = DRAFT_FIELDS.filter((f) => draft[f].trim() !== '');
            const created = await post<WorkItemView>('/work_items', {
              project: key,
              ...patchOf({ ...draft, status }, [...filled, 'status']),
            });
            toast(`Created ${created.key}`);
            navigate(href(`/items/${created.key}`));
          });
        }}
      >
        <label>
          Project
          <ProjectSelect projects={projects.data?.items} value={key} onChange={setProject} />
        </label>
        <ItemFields
          draft={{ ...draft, status }}
          onChange={setDraft}
          lanes={lanes.data?.items ?? []}
          sprints={sprints.data?.items ?? []}
        />
        <footer>
          <button class="primary" disabled={busy}>
            Create
          </button>
          <a href={href('/board', { project: key })}>Cancel</a>
        </footer>
      </form>
    </section>
  );
}
