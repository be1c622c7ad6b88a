import { trackerVocabulary, type Connector, type ConnectorSettings, type Resources } from '../sdk/index.js';
import { OpenProjectApi } from './api.js';
import type { OpenProjectSettings } from './index.js';
import { activities, relations, timeEntries, versions, workPackages } from './resources.js';
import { OPENPROJECT_VOCABULARY } from './vocabulary.js';

const CLOSED_BY_DEFAULT = new Set(['Closed', 'Rejected']);

/**
 * OpenProject through its API v3 (HAL+JSON, an API token as Basic `apikey:`): sprint ↔ version,
 * work item ↔ work package, dependency ↔ relation, comment ↔ activity comment, time entry ↔ time
 * entry; the pm id in a "pm id" custom field. Blind spots are in docs/openproject.md.
 */
export class OpenProjectConnector implements Connector {
  readonly kind = 'openproject';
  readonly resources: Resources;
  private readonly api: OpenProjectApi;

  constructor(settings: ConnectorSettings<OpenProjectSettings>) {
    const api = (this.api = new OpenProjectApi(settings));
    const vocabulary = trackerVocabulary({
      ...OPENPROJECT_VOCABULARY,
      ...settings,
      isClosed: (status) => (api.ready ? api.l.closed : CLOSED_BY_DEFAULT).has(status),
    });
    this.resources = {
      sprints: versions(api),
      work_items: workPackages(api, vocabulary),
      dependencies: relations(api),
      comments: activities(api),
      time_entries: timeEntries(api),
    };
  }

  async check(): Promise<{ account: string; notes: string[] }> {
    const me = await this.api.me();
    const notes: string[] = [];
    try {
      await this.prepare();
    } catch (error) {
      // A missing project is not a note: nothing can be synced.
      if ((error as { field?: string; message: string }).message.includes('has no project')) throw error;
      notes.push((error as Error).message);
    }
    return { account: me.name, notes };
  }

  prepare(): Promise<void> {
    return this.api.prepare();
  }
}
