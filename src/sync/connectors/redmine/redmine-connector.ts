import { AuthError, ValidationError } from '../../../domain/index.js';
import { trackerVocabulary, type Connector, type ConnectorSettings, type Resources } from '../sdk/index.js';
import { RedmineApi } from './api.js';
import type { RedmineSettings } from './index.js';
import { issues, journals, relations, timeEntries, versions } from './resources.js';
import { REDMINE_VOCABULARY } from './vocabulary.js';

const CLOSED_BY_DEFAULT = new Set(['Closed', 'Rejected']);

/**
 * Redmine through its REST API (see peers/redmine/NOTES.md for the quirks it handles): project ↔
 * project, sprint ↔ version, work item ↔ issue, comment ↔ journal note, dependency ↔ relation,
 * time entry ↔ time entry. Blind spots: journal edits and deletions, and relations, do not move
 * an issue's `updated_on`, so incremental runs see them only on issues that changed for other
 * reasons; full runs look at everything.
 */
export class RedmineConnector implements Connector {
  readonly kind = 'redmine';
  readonly resources: Resources;
  private readonly api: RedmineApi;

  constructor(private readonly settings: ConnectorSettings<RedmineSettings>) {
    this.api = new RedmineApi(settings);
    const api = this.api;
    const vocabulary = trackerVocabulary({
      ...REDMINE_VOCABULARY,
      ...settings,
      isClosed: (status) => (api.ready ? api.l.closed : CLOSED_BY_DEFAULT).has(status),
    });
    this.resources = {
      sprints: versions(api),
      work_items: issues(api, vocabulary),
      dependencies: relations(api),
      comments: journals(api),
      time_entries: timeEntries(api),
    };
  }

  async check(): Promise<{ account: string; notes: string[] }> {
    const { http } = this.api;
    const me = await http.request({ method: 'GET', path: '/users/current.json', accept: [401, 403] });
    // An unknown key is not refused on lists (Redmine answers as anonymous), so ask who we are.
    if (me.status === 401)
      throw new AuthError('unauthorized', 'Redmine refused the API key (401): check PM_REDMINE_API_KEY or .pm/secrets.toml');
    if (me.status === 403)
      throw new AuthError(
        'forbidden',
        "Redmine's REST API is switched off (403): enable it under Administration → Settings → API",
      );
    const user = (me.body as { user: { login: string } }).user;
    const projectAnswer = await http.request({
      method: 'GET',
      path: `/projects/${encodeURIComponent(this.settings.project)}.json`,
      accept: [403, 404],
    });
    if (projectAnswer.status !== 200)
      throw new ValidationError([
        {
          path: 'project',
          message: `Redmine has no project ${JSON.stringify(this.settings.project)}, or ${user.login} cannot see it`,
        },
      ]);
    const notes: string[] = [];
    try {
      await this.prepare();
    } catch (error) {
      notes.push((error as Error).message);
    }
    return { account: user.login, notes };
  }

  prepare(): Promise<void> {
    return this.api.prepare();
  }
}
