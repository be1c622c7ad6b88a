import type { Db } from '../kysely-store.js';

/** A forward-only schema change. Once released, a migration never changes. */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): Promise<void>;
}
