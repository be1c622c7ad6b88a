import { VERSION } from '../version.js';
import { snapshotJsonSchema } from '../sync/index.js';
import { HTTP_STATUS } from './errors.js';
import { inputSchema, type JsonSchema } from './openapi-schemas.js';
import { API_PREFIX, takesStream, type AnyRoute } from './route.js';

/**
 * The OpenAPI 3.1 document of the API, written from the route list: the request schemas are
 * the zod schemas that validate requests, the records those of the snapshot file.
 */
export function openApiDocument(routes: readonly AnyRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) {
    const path = `${API_PREFIX}${spec.url.replace(/:(\w+)/g, '{$1}')}`;
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation(spec, path);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'pm',
      version: VERSION,
      description:
        'The REST API of pm serve. Records are addressed by display key (WEB-12), key, name or id wherever the CLI takes them. Every error answers with the Error schema. With tokens, GET needs a read or write token and everything else a write token.',
    },
    security: [{ bearer: [] }, {}],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from pm token create' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { enum: Object.keys(HTTP_STATUS) },
                message: { type: 'string' },
                field: { type: 'string', description: 'the request field at fault' },
                details: { description: 'more about the error: every problem of a validation, the current record of a 409' },
              },
            },
          },
        },
        Snapshot: snapshotJsonSchema(),
      },
    },
    paths,
  };
}

function operation(spec: AnyRoute, path: string): JsonSchema {
  const parameters = [
    ...[...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...queryParameters(spec),
  ];
  const status = String(spec.status ?? 200);
  const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });
  return {
    operationId: `${spec.method.toLowerCase()}${path.slice(API_PREFIX.length).replace(/[^A-Za-z0-9]+/g, '_')}`,
    tags: [spec.tag],
    summary: spec.summary,
    'x-pm-scope': spec.scope,
    ...(parameters.length ? { parameters } : {}),
    ...(takesStream(spec)
      ? { requestBody: { required: true, ...json({ $ref: '#/components/schemas/Snapshot' }) } }
      : spec.body
        ? { requestBody: { required: true, ...json(inputSchema(spec.body as never)) } }
        : {}),
    responses: {
      [status]: { description: status === '204' ? 'done' : 'success', ...(spec.returns ? json(spec.returns()) : {}) },
      default: { description: 'an error', ...json({ $ref: '#/components/schemas/Error' }) },
    },
  };
}

function queryParameters(spec: AnyRoute): JsonSchema[] {
  if (!spec.query) return [];
  const schema = inputSchema(spec.query);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
    // Lists are comma-separated: status=todo,review.
    ...(property.type === 'array' ? { style: 'form', explode: false } : {}),
  }));
}
