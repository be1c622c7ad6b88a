import * as z from 'zod/mini';
import { defineConnector } from '../sdk/index.js';

const settings = z.object({});
export type OpenProjectSettings = z.output<typeof settings>;

/** OpenProject (API v3). A server of several processes: a few requests in flight by default. */
export const openProject = defineConnector({
  kind: 'openproject',
  title: 'OpenProject',
  projectHelp: 'its identifier or id, e.g. website',
  secretName: 'API token',
  docs: 'docs/openproject.md',
  settings,
  flags: {},
  defaults: { workers: 2, ratePerSecond: 20 },
  create: async (s) => new (await import('./openproject-connector.js')).OpenProjectConnector(s),
});
