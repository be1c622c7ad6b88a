// `npm run schema`: writes schema/snapshot.schema.json from the zod schemas (a test checks it is current).
import { writeFileSync } from 'node:fs';
import { snapshotJsonSchema } from '../src/sync/snapshot/json-schema.js';

writeFileSync(new URL('../schema/snapshot.schema.json', import.meta.url), `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`);
