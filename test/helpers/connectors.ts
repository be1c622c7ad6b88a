import { parseConnection, type AnyConnectorDefinition, type Connector } from '../../src/sync/connectors/index.js';

export const LANES = ['backlog', 'todo', 'in_progress', 'review', 'done'];

/** A prepared connector of a kind, as the engine would make it for a run (reads retried quickly). */
export async function openConnector(
  definition: AnyConnectorDefinition,
  settings: Record<string, unknown>,
  secret: string,
): Promise<Connector> {
  const connection = parseConnection(definition, {
    name: definition.kind,
    kind: definition.kind,
    settings,
    secret,
    source: 'test',
  });
  const connector = await definition.create({
    ...connection,
    localStatuses: LANES,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  });
  await connector.prepare();
  return connector;
}
