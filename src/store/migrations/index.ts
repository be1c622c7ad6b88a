import { initial } from './001-initial.js';
import { apiTokens } from './002-api-tokens.js';
import { syncEngine } from './003-sync-engine.js';
import { workItemsListIndex } from './004-work-items-list-index.js';
import { changeSeq } from './005-change-seq.js';
import { syncBatches } from './006-sync-batches.js';
import { clearedLinks } from './007-cleared-links.js';
import { syncOverwrite } from './008-sync-overwrite.js';
import { syncRateLimits } from './009-sync-rate-limits.js';
import { workItemsCountIndex } from './010-work-items-count-index.js';
import { LATEST_SCHEMA_VERSION } from './latest.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, in order. The last version is the schema this pm writes. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  apiTokens,
  syncEngine,
  workItemsListIndex,
  changeSeq,
  syncBatches,
  clearedLinks,
  syncOverwrite,
  syncRateLimits,
  workItemsCountIndex,
];

export { LATEST_SCHEMA_VERSION };
if (MIGRATIONS[MIGRATIONS.length - 1]!.version !== LATEST_SCHEMA_VERSION)
  throw new Error(`migrations/latest.ts says version ${LATEST_SCHEMA_VERSION}; the last migration is another`);
