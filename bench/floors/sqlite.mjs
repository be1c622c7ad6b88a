// better-sqlite3 for the floors as pm's driver picks it (src/store/sqlite/driver.ts): 12 builds
// against Node 20 but aborts on Node 24 when the GC finalizes a statement; 13 (the optional
// better-sqlite3-napi) works there.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function load() {
  if (Number(process.versions.node.split('.')[0]) >= 22) {
    try {
      return require('better-sqlite3-napi');
    } catch (error) {
      if (error.code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return require('better-sqlite3');
}

export const Database = load();
