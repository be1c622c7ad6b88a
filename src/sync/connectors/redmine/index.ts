import * as z from 'zod/mini';
import { defineConnector } from '../sdk/index.js';

const settings = z.object({
  /** The time entry activity for time pushed from pm. */
  activity: z.optional(z.string().check(z.minLength(1))),
});
export type RedmineSettings = z.output<typeof settings>;

/**
 * Redmine (its REST API, JSON, an API key in X-Redmine-API-Key). One request at a time by
 * default: a Redmine on one process (the usual small install) serves requests one by one, so
 * parallel ones only wait on each other and cost it more (measured here: a 2,000-issue push
 * took 1.23× its sequential floor with 4 in flight, 1.15× with 1).
 */
export const redmine = defineConnector({
  kind: 'redmine',
  title: 'Redmine',
  projectHelp: 'its identifier, e.g. web',
  secretName: 'API key',
  docs: 'docs/redmine.md',
  settings,
  flags: { activity: { value: '<name>', help: 'the time entry activity for time pushed from pm' } },
  defaults: { workers: 1, ratePerSecond: 100 },
  create: async (s) => new (await import('./redmine-connector.js')).RedmineConnector(s),
});
