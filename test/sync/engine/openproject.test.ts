import { FaultProxy } from '../../helpers/fault-proxy.js';
import { OpenProjectFake } from '../../helpers/fakes/openproject.js';
import { runTrackerSyncCases } from './tracker-sync.case.js';

/** pm against OpenProject's API v3, served by the spec-checked fake. */
runTrackerSyncCases('OpenProject', async () => {
  const fake = await new OpenProjectFake().start();
  const faults = await FaultProxy.start(fake.url);
  const relation = (type: string): 'blocks' | 'relates' => (type === 'blocks' ? 'blocks' : 'relates');
  return {
    kind: 'openproject',
    project: fake.project.identifier,
    secret: fake.token,
    faults,
    creates: { method: 'POST', path: /^\/api\/v3\/projects\/\d+\/work_packages$/ },
    timeEntries: true,
    items: () =>
      [...fake.wps.values()].map((w) => ({
        id: String(w.id),
        title: w.subject,
        description: w.description,
        pmId: w.pmId,
        parentId: w.parentId === null ? null : String(w.parentId),
      })),
    comments: (id) => [...fake.journals.values()].filter((j) => j.wpId === Number(id) && j.isComment).map((j) => j.comment),
    dependencies: () =>
      [...fake.relations.values()].map((r) => ({ blocking: String(r.from), blocked: String(r.to), type: relation(r.type) })),
    timeLogged: () =>
      [...fake.timeEntries.values()].map((t) => ({
        itemId: String(t.wpId),
        hours: Number(/PT(\d+)H/.exec(t.hours)?.[1] ?? 0) + Number(/(\d+)M/.exec(t.hours)?.[1] ?? 0) / 60,
      })),
    sprints: () => [...fake.versions.values()].map((v) => v.name),
    addItem: (title) => String(fake.addWorkPackage({ subject: title }).id),
    edit: (id, change) =>
      fake.editWorkPackage(Number(id), {
        ...(change.title !== undefined ? { subject: change.title } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
      }),
    removeItem: (id) => fake.deleteWorkPackage(Number(id)),
    violations: () => fake.violations,
  };
});
