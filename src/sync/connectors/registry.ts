import { ValidationError } from '../../domain/index.js';
import { azureDevOps } from './azure-devops/index.js';
import { openProject } from './openproject/index.js';
import { redmine } from './redmine/index.js';
import type { AnyConnectorDefinition } from './sdk/index.js';

/** Every kind of remote tracker pm syncs with: adding one is its folder and a line here. */
export const CONNECTORS: readonly AnyConnectorDefinition[] = [redmine, openProject, azureDevOps];

export const CONNECTOR_KINDS = CONNECTORS.map((c) => c.kind);

/** The definition of a kind, among these definitions; a clear error for one pm does not know. */
export function definitionOf(kind: string, definitions: readonly AnyConnectorDefinition[] = CONNECTORS): AnyConnectorDefinition {
  const found = definitions.find((d) => d.kind === kind);
  if (!found)
    throw new ValidationError([
      {
        path: 'kind',
        message: `unknown connector ${JSON.stringify(kind)}: expected one of ${definitions.map((d) => d.kind).join(', ')}`,
      },
    ]);
  return found;
}
