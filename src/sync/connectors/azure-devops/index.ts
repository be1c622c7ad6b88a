import * as z from 'zod/mini';
import { defineConnector } from '../sdk/index.js';

const settings = z.object({
  /** The team whose sprints (iterations) the project's sprints are, and whose WIQL endpoint pm queries. */
  team: z.optional(z.string().check(z.minLength(1))),
  /** The reference name of the work item field that holds pm's id. */
  pm_id_field: z.optional(
    z.string().check(z.regex(/^[A-Za-z]\w*\.[\w.]+$/, { error: 'expected a field reference name, e.g. Custom.PmId' })),
  ),
});
export type AzureDevOpsSettings = z.output<typeof settings>;

/** Azure DevOps Boards (REST 7.1), through the organization's URL and a personal access token. */
export const azureDevOps = defineConnector({
  kind: 'azure-devops',
  title: 'Azure DevOps',
  projectHelp: 'its name, e.g. Website (the organization is in --url: https://dev.azure.com/ORG)',
  secretName: 'personal access token',
  docs: 'docs/azure-devops.md',
  settings,
  flags: {
    team: { value: '<name>', help: 'the team whose sprints pm syncs (default: "PROJECT Team")' },
    pm_id_field: { value: '<ref>', help: 'the field that holds the pm id (default Custom.PmId)' },
  },
  defaults: { workers: 4, ratePerSecond: 20 },
  create: async (s) => new (await import('./azure-devops-connector.js')).AzureDevOpsConnector(s),
});
