import { ValidationError } from '../../domain/index.js';
import type { Connector, ConnectorSettings } from './sdk/index.js';

type Factory = (settings: ConnectorSettings) => Promise<Connector>;

/** Connector kinds by name; each is loaded only when a connection of that kind is used. */
const FACTORIES: Record<string, Factory> = {
  redmine: async (settings) => new (await import('./redmine/redmine-connector.js')).RedmineConnector(settings),
};

export const CONNECTOR_KINDS = Object.keys(FACTORIES);

export async function createConnector(settings: ConnectorSettings): Promise<Connector> {
  const factory = FACTORIES[settings.kind];
  if (!factory) {
    throw new ValidationError([
      {
        path: 'kind',
        message: `unknown connector ${JSON.stringify(settings.kind)}: expected one of ${CONNECTOR_KINDS.join(', ')}`,
      },
    ]);
  }
  return factory(settings);
}
