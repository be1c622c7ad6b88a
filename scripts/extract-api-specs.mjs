#!/usr/bin/env node
// Pins the parts of the trackers' official API specifications that pm's connectors use, as test
// fixtures the fake servers validate every request and response against. The published files are
// large (OpenProject's is 1.1 MB); this keeps each operation pm calls and every schema it reaches,
// unchanged, plus where it came from. Regenerate after a connector starts using another operation:
//
//   node scripts/extract-api-specs.mjs openproject  <openproject-v3.json>
//   node scripts/extract-api-specs.mjs azure-devops-wit  <specification/wit/7.1/workItemTracking.json>
//   node scripts/extract-api-specs.mjs azure-devops-work <specification/work/7.1/work.json>
//
// Sources: OpenProject's bundled OpenAPI 3.1 document (served as /api/v3/spec.json; a copy is
// spec/openproject-v3.json in github.com/dattrink/openproject-typescript-sdk) and
// github.com/MicrosoftDocs/vsts-rest-api-specs. Known defects are not fixed here: they are
// patched, one documented entry each, by test/fixtures/api-specs/overlays.ts.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const OP = '/api/v3';
const WIT = '/{organization}/{project}/_apis/wit';
const TEAM = '/{organization}/{project}/{team}/_apis';

export const TARGETS = {
  openproject: {
    output: 'test/fixtures/api-specs/openproject-v3.json',
    source: 'OpenProject API v3 (docs/api/apiv3 in github.com/opf/openproject, bundled as /api/v3/spec.json)',
    operations: [
      ['get', `${OP}/users/{id}`],
      ['get', `${OP}/projects/{id}`],
      ['get', `${OP}/projects/{id}/types`],
      ['get', `${OP}/statuses`],
      ['get', `${OP}/priorities`],
      ['get', `${OP}/work_packages/schemas/{identifier}`],
      ['get', `${OP}/time_entries/schema`],
      ['get', `${OP}/work_packages`],
      ['post', `${OP}/projects/{id}/work_packages`],
      ['get', `${OP}/work_packages/{id}`],
      ['patch', `${OP}/work_packages/{id}`],
      ['delete', `${OP}/work_packages/{id}`],
      ['get', `${OP}/relations`],
      ['post', `${OP}/work_packages/{id}/relations`],
      ['get', `${OP}/relations/{id}`],
      ['delete', `${OP}/relations/{id}`],
      ['get', `${OP}/work_packages/{id}/activities`],
      ['post', `${OP}/work_packages/{id}/activities`],
      ['get', `${OP}/activities/{id}`],
      ['patch', `${OP}/activities/{id}`],
      ['get', `${OP}/time_entries`],
      ['post', `${OP}/time_entries`],
      ['get', `${OP}/time_entries/{id}`],
      ['patch', `${OP}/time_entries/{id}`],
      ['delete', `${OP}/time_entries/{id}`],
      ['get', `${OP}/projects/{id}/versions`],
      ['post', `${OP}/versions`],
      ['get', `${OP}/versions/{id}`],
      ['patch', `${OP}/versions/{id}`],
      ['delete', `${OP}/versions/{id}`],
    ],
    // What the overlay (test/fixtures/api-specs/overlays.ts) refers to besides the operations.
    keep: ['#/components/schemas/WorkPackageSchemaModel'],
  },
  'azure-devops-wit': {
    output: 'test/fixtures/api-specs/azure-devops-wit-7.1.json',
    source:
      'Azure DevOps Work Item Tracking 7.1 (specification/wit/7.1/workItemTracking.json in github.com/MicrosoftDocs/vsts-rest-api-specs)',
    operations: [
      ['post', `${TEAM}/wit/wiql`],
      ['post', `${WIT}/workitemsbatch`],
      ['post', `${WIT}/workitems/\${type}`],
      ['get', `${WIT}/workitems/{id}`],
      ['patch', `${WIT}/workitems/{id}`],
      ['delete', `${WIT}/workitems/{id}`],
      ['get', `${WIT}/recyclebin/{id}`],
      ['get', `${WIT}/workItems/{workItemId}/comments`],
      ['post', `${WIT}/workItems/{workItemId}/comments`],
      ['get', `${WIT}/workItems/{workItemId}/comments/{commentId}`],
      ['patch', `${WIT}/workItems/{workItemId}/comments/{commentId}`],
      ['delete', `${WIT}/workItems/{workItemId}/comments/{commentId}`],
      ['get', `${WIT}/workitemtypes`],
      ['get', `${WIT}/workitemtypes/{type}/states`],
      ['get', `${WIT}/fields/{fieldNameOrRefName}`],
      ['get', `${WIT}/classificationnodes`],
      ['get', `${WIT}/classificationnodes/{structureGroup}/{path}`],
      ['post', `${WIT}/classificationnodes/{structureGroup}/{path}`],
      ['patch', `${WIT}/classificationnodes/{structureGroup}/{path}`],
      ['delete', `${WIT}/classificationnodes/{structureGroup}/{path}`],
    ],
  },
  'azure-devops-work': {
    output: 'test/fixtures/api-specs/azure-devops-work-7.1.json',
    source: 'Azure DevOps Work 7.1 (specification/work/7.1/work.json in github.com/MicrosoftDocs/vsts-rest-api-specs)',
    operations: [
      ['get', `${TEAM}/work/teamsettings/iterations`],
      ['post', `${TEAM}/work/teamsettings/iterations`],
      ['delete', `${TEAM}/work/teamsettings/iterations/{id}`],
    ],
  },
};

/** Every `#/…` reference reachable from a value, followed through the document. */
function collectRefs(doc, value, seen) {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(doc, item, seen);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/')) {
        if (seen.has(inner)) continue;
        seen.add(inner);
        collectRefs(doc, resolve(doc, inner), seen);
      } else collectRefs(doc, inner, seen);
    }
  }
}

function resolve(doc, ref) {
  const parts = ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at = doc;
  for (const part of parts) {
    at = at?.[part];
    if (at === undefined) throw new Error(`${ref} does not resolve`);
  }
  return at;
}

function setAt(target, ref, value) {
  const parts = ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at = target;
  for (const part of parts.slice(0, -1)) at = at[part] ??= {};
  at[parts.at(-1)] = value;
}

/** The document with only these operations and what they reach; everything else of the top level kept as is. */
export function extract(doc, operations, keep = []) {
  const paths = {};
  for (const [method, path] of operations) {
    const item = doc.paths?.[path];
    const op = item?.[method];
    if (!op) throw new Error(`the specification has no ${method.toUpperCase()} ${path}`);
    paths[path] ??= item.parameters ? { parameters: item.parameters } : {};
    paths[path][method] = op;
  }
  const refs = new Set();
  collectRefs(doc, [paths, keep.map((ref) => ({ $ref: ref }))], refs);
  const out = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!['paths', 'components', 'definitions', 'parameters', 'responses', 'x-ms-paths', 'tags'].includes(key)) out[key] = value;
  }
  out.paths = paths;
  for (const ref of [...refs].sort()) setAt(out, ref, resolve(doc, ref));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name, input] = process.argv.slice(2);
  const target = TARGETS[name];
  if (!target || !input) {
    process.stderr.write(`usage: node scripts/extract-api-specs.mjs ${Object.keys(TARGETS).join('|')} <specification.json>\n`);
    process.exit(2);
  }
  const bytes = readFileSync(input);
  // Microsoft's files start with a byte order mark.
  const doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  const pinned = extract(doc, target.operations, target.keep);
  pinned['x-pm-extract'] = {
    source: target.source,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    operations: target.operations.map(([m, p]) => `${m.toUpperCase()} ${p}`),
    regenerate: `node scripts/extract-api-specs.mjs ${name} <specification.json>`,
  };
  writeFileSync(target.output, `${JSON.stringify(pinned, null, 1)}\n`);
  process.stdout.write(`${target.output}: ${target.operations.length} operations, ${refs(pinned)} schemas\n`);
}

function refs(doc) {
  return Object.keys(doc.components?.schemas ?? doc.definitions ?? {}).length;
}
