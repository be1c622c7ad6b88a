import { FaultProxy } from '../../helpers/fault-proxy.js';
import { AzureDevOpsFake } from '../../helpers/fakes/azure-devops.js';
import { runTrackerSyncCases } from './tracker-sync.case.js';

/** pm against Azure DevOps Boards (REST 7.1), served by the spec-checked fake. */
runTrackerSyncCases('Azure DevOps', async () => {
  const fake = await new AzureDevOpsFake().start();
  const faults = await FaultProxy.start(fake.url);
  const text = (html: unknown) => (typeof html === 'string' ? html.replace(/<br>/g, '\n') : '');
  const id = (url: string) => /\/workItems\/(\d+)$/i.exec(url)![1]!;
  return {
    kind: 'azure-devops',
    project: fake.project,
    secret: fake.token,
    faults,
    url: `${faults.url}/${fake.organization}`,
    creates: { method: 'POST', path: /\/_apis\/wit\/workitems\/\$/ },
    timeEntries: false,
    items: () =>
      [...fake.items.values()].map((i) => {
        const parent = i.relations.find((r) => r.rel === 'System.LinkTypes.Hierarchy-Reverse');
        return {
          id: String(i.id),
          title: String(i.fields['System.Title']),
          description: text(i.fields['System.Description']),
          pmId: typeof i.fields['Custom.PmId'] === 'string' ? i.fields['Custom.PmId'] : null,
          parentId: parent ? id(parent.url) : null,
        };
      }),
    comments: (itemId) =>
      [...fake.comments.values()].filter((c) => c.workItemId === Number(itemId) && !c.isDeleted).map((c) => text(c.text)),
    dependencies: () =>
      [...fake.items.values()].flatMap((i) =>
        i.relations.flatMap((r): { blocking: string; blocked: string; type: 'blocks' | 'relates' }[] => {
          if (r.rel === 'System.LinkTypes.Dependency-Forward')
            return [{ blocking: String(i.id), blocked: id(r.url), type: 'blocks' }];
          if (r.rel === 'System.LinkTypes.Related' && i.id < Number(id(r.url)))
            return [{ blocking: String(i.id), blocked: id(r.url), type: 'relates' }];
          return [];
        }),
      ),
    timeLogged: () => [],
    sprints: () => [...fake.iterations.values()].map((n) => n.name),
    addItem: (title) => String(fake.addItem(title).id),
    edit: (itemId, change) =>
      fake.edit(Number(itemId), {
        ...(change.title !== undefined ? { 'System.Title': change.title } : {}),
        ...(change.description !== undefined ? { 'System.Description': change.description } : {}),
      }),
    removeItem: (itemId) => fake.remove(Number(itemId)),
    violations: () => fake.violations,
  };
});
