import { AuthError } from '../../../domain/index.js';
import { trackerVocabulary, type Connector, type ConnectorSettings, type Resources } from '../sdk/index.js';
import { AzureDevOpsApi, WIQL_WINDOW } from './api.js';
import type { AzureDevOpsSettings } from './index.js';
import { comments, iterations, links, workItems } from './resources.js';
import { AZURE_DEVOPS_VOCABULARY } from './vocabulary.js';

const CLOSED_BY_DEFAULT = new Set(['Closed', 'Removed']);

/**
 * Azure DevOps Boards through REST 7.1 (a personal access token as Basic auth): sprint ↔
 * iteration, work item ↔ work item, dependency ↔ link, comment ↔ comment. No time entries:
 * Boards has none. Blind spots are in docs/azure-devops.md.
 */
export class AzureDevOpsConnector implements Connector {
  readonly kind = 'azure-devops';
  readonly resources: Resources;
  private readonly api: AzureDevOpsApi;

  /** `window`: work items a WIQL query asks for at once (under the service's 20,000). */
  constructor(settings: ConnectorSettings<AzureDevOpsSettings>, limits: { window?: number } = {}) {
    const api = (this.api = new AzureDevOpsApi(settings, limits.window ?? WIQL_WINDOW));
    const vocabulary = trackerVocabulary({
      ...AZURE_DEVOPS_VOCABULARY,
      ...settings,
      isClosed: (state) => (api.ready ? api.l.closed : CLOSED_BY_DEFAULT).has(state),
    });
    this.resources = {
      sprints: iterations(api),
      work_items: workItems(api, vocabulary),
      dependencies: links(api),
      comments: comments(api),
    };
  }

  async check(): Promise<{ account: string; notes: string[] }> {
    await this.api.types();
    const notes: string[] = [];
    try {
      await this.prepare();
    } catch (error) {
      if (error instanceof AuthError) throw error;
      notes.push((error as Error).message);
    }
    const team = await this.api.http.request({
      method: 'GET',
      path: this.api.teamPath('work/teamsettings/iterations'),
      accept: [404],
    });
    if (team.status === 404)
      notes.push(`Azure DevOps has no team ${JSON.stringify(this.api.team)} in the project: pass --team NAME`);
    return { account: `a personal access token for ${this.api.settings.url}`, notes };
  }

  prepare(): Promise<void> {
    return this.api.prepare();
  }
}
