import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * An API specification pinned in test/fixtures/api-specs, read as a fake server must obey it:
 * which operations exist, what a request may carry (path, query, body) and what each answer's
 * body looks like. OpenAPI 3.1 (JSON Schema 2020-12) and Swagger 2.0 (draft-04 style) both.
 * `readOnly` properties are not required in requests and may not be sent; `writeOnly` ones are
 * not required in answers. Known defects of a specification are patched by an overlay before use.
 */

export type JsonObject = { [key: string]: unknown };

export interface SpecParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  /** OpenAPI 3: the value's schema; Swagger 2 has type, format and enum on the parameter itself. */
  schema?: { type?: string | string[]; format?: string; enum?: unknown[] };
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  $ref?: string;
}

export interface SpecResponse {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: unknown }>;
  schema?: unknown;
}

export interface SpecOperation {
  operationId?: string;
  parameters?: SpecParameter[];
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, SpecResponse>;
  consumes?: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;
type Method = (typeof METHODS)[number];
export type PathItem = { parameters?: SpecParameter[] } & Partial<Record<Method, SpecOperation>>;

export interface SpecDocument {
  openapi?: string;
  swagger?: string;
  paths: Record<string, PathItem>;
  [key: string]: unknown;
}

/** One documented defect of a specification, and its correction. */
export interface OverlayEntry {
  /** What the published specification gets wrong, and how the real service behaves. */
  why: string;
  apply(spec: SpecDocument): void;
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  params: Record<string, string>;
}

interface Compiled {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  op: SpecOperation;
  pathItem: PathItem;
  pointer: string;
}

const FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  duration:
    /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/,
  'hex-code': /^#[0-9a-fA-F]{6}$/,
  uri: /^\S+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'array (int32)': /^-?\d+(,-?\d+)*$/,
  'array (string)': /^[^,]+(,[^,]+)*$/,
};

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const pointer = (...parts: string[]) => `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/** The value at a path of keys (and array indexes) in a document; throws when it is not there. */
export function at(doc: unknown, ...path: (string | number)[]): JsonObject {
  let value: unknown = doc;
  for (const part of path) {
    value = Array.isArray(value) ? value[Number(part)] : isObject(value) ? value[part] : undefined;
    if (value === undefined) throw new Error(`the specification has nothing at ${path.join('.')}`);
  }
  if (!isObject(value)) throw new Error(`${path.join('.')} is not an object`);
  return value;
}

/** An operation of the document; throws when it is not there. */
export function operation(spec: SpecDocument, path: string, method: Method): SpecOperation {
  const found = spec.paths[path]?.[method];
  if (!found) throw new Error(`the specification has no ${method.toUpperCase()} ${path}`);
  return found;
}

function resolve<T>(doc: SpecDocument, value: T & { $ref?: string }): T {
  return value.$ref ? (at(doc, ...value.$ref.slice(2).split('/').map(unescape)) as T) : value;
}

const unescape = (part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~');

/** The document with properties marked `flag` dropped from `required`, and (requests) forbidden. */
function view(value: unknown, flag: 'readOnly' | 'writeOnly'): unknown {
  if (Array.isArray(value)) return value.map((v) => view(v, flag));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) out[key] = view(inner, flag);
  const props = out.properties;
  if (isObject(props)) {
    const marked = (p: unknown) =>
      isObject(p) && (p[flag] === true || (Array.isArray(p.allOf) && p.allOf.some((x) => isObject(x) && x[flag] === true)));
    const names = Object.keys(props).filter((name) => marked(props[name]));
    if (Array.isArray(out.required)) out.required = out.required.filter((n) => !names.includes(String(n)));
    if (flag === 'readOnly') for (const name of names) props[name] = false;
  }
  return out;
}

export class ApiSpec {
  private readonly ajv: Ajv;
  private readonly operations: Compiled[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  readonly openapi3: boolean;

  constructor(
    readonly doc: SpecDocument,
    readonly name: string,
  ) {
    this.openapi3 = typeof doc.openapi === 'string';
    const options = { strict: false, allErrors: true, validateSchema: false, logger: false } as const;
    this.ajv = this.openapi3 ? new Ajv2020(options) : new Ajv(options);
    for (const [format, regex] of Object.entries(FORMATS)) this.ajv.addFormat(format, regex);
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
    this.ajv.addSchema(view(doc, 'readOnly') as JsonObject, 'request');
    this.ajv.addSchema(view(doc, 'writeOnly') as JsonObject, 'response');
    for (const [template, pathItem] of Object.entries(doc.paths)) {
      const names: string[] = [];
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          if (!part.startsWith('{')) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          names.push(part.slice(1, -1));
          return '([^/]+)';
        })
        .join('');
      for (const method of METHODS) {
        const op = pathItem[method];
        if (!op) continue;
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${source}$`),
          names,
          op,
          pathItem,
          pointer: pointer('paths', template, method),
        });
      }
    }
    // The most specific template first: a literal segment beats a parameter.
    const literal = (t: string) => t.replace(/\{[^}]+\}/g, '').length;
    this.operations.sort((a, b) => literal(b.template) - literal(a.template));
  }

  static load(file: string, overlay: readonly OverlayEntry[] = []): ApiSpec {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as SpecDocument;
    for (const entry of overlay) entry.apply(doc);
    return new ApiSpec(doc, file);
  }

  /** Every operation, as `METHOD template`. */
  get operationKeys(): string[] {
    return this.operations.map((o) => `${o.method} ${o.template}`).sort();
  }

  /** The operation a request is for, or undefined when the specification has none. */
  match(method: string, pathname: string): Operation | undefined {
    for (const o of this.operations) {
      if (o.method !== method) continue;
      const found = o.pattern.exec(pathname);
      if (!found) continue;
      const params = Object.fromEntries(o.names.map((n, i) => [n, decodeURIComponent(found[i + 1]!)]));
      return { method, template: o.template, operationId: String(o.op.operationId), params };
    }
    return undefined;
  }

  private compiled(op: Operation): Compiled {
    return this.operations.find((o) => o.method === op.method && o.template === op.template)!;
  }

  private parameters(c: Compiled): SpecParameter[] {
    return [...(c.pathItem.parameters ?? []), ...(c.op.parameters ?? [])].map((p) => resolve(this.doc, p));
  }

  private validator(ref: string): ValidateFunction {
    let validate = this.validators.get(ref);
    if (!validate) this.validators.set(ref, (validate = this.ajv.compile({ $ref: ref })));
    return validate;
  }

  private check(ref: string, value: unknown, what: string): string[] {
    const validate = this.validator(ref);
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 8).map((e) => `${what}${e.instancePath}: ${e.message ?? 'invalid'}`);
  }

  /** What is wrong with a request for this operation (nothing: an empty list). */
  checkRequest(op: Operation, request: { query: URLSearchParams; contentType: string | undefined; body: unknown }): string[] {
    const c = this.compiled(op);
    const problems: string[] = [];
    const params = this.parameters(c);
    for (const p of params.filter((x) => x.in === 'path')) {
      const value = op.params[p.name];
      if (value !== undefined) problems.push(...checkScalar(p, value, `path parameter ${p.name}`));
    }
    const query = params.filter((x) => x.in === 'query');
    for (const name of new Set(request.query.keys()))
      if (!query.some((p) => p.name === name)) problems.push(`query parameter ${name} is not in the specification`);
    for (const p of query) {
      const value = request.query.get(p.name);
      if (value === null) {
        if (p.required) problems.push(`query parameter ${p.name} is required`);
        continue;
      }
      problems.push(...checkScalar(p, value, `query parameter ${p.name}`));
      // Swagger documents say which api-version an operation wants in its description.
      const wanted = /set to '([^']+)'/.exec(p.description ?? '')?.[1];
      if (p.name === 'api-version' && wanted && value !== wanted)
        problems.push(`api-version ${value}: this operation wants ${wanted}`);
    }
    const body = this.requestBody(c);
    if (!body) {
      if (request.body !== undefined) problems.push('the operation takes no body');
      return problems;
    }
    if (request.body === undefined) {
      if (body.required) problems.push('the body is required');
      return problems;
    }
    if (body.mediaTypes.length > 0 && !body.mediaTypes.some((m) => request.contentType?.startsWith(m)))
      problems.push(`content type ${request.contentType ?? '(none)'}: expected ${body.mediaTypes.join(' or ')}`);
    if (body.pointer) problems.push(...this.check(`request#${body.pointer}`, request.body, 'body'));
    return problems;
  }

  private requestBody(c: Compiled): { pointer: string | undefined; mediaTypes: string[]; required: boolean } | undefined {
    if (this.openapi3) {
      const rb = c.op.requestBody && resolve(this.doc, c.op.requestBody);
      if (!rb) return undefined;
      const types = Object.keys(rb.content ?? {});
      const json = types.find((t) => t.includes('json'));
      return {
        pointer: json ? `${c.pointer}${pointer('requestBody', 'content', json, 'schema')}` : undefined,
        mediaTypes: types,
        required: rb.required === true,
      };
    }
    const index = (c.op.parameters ?? []).findIndex((p) => p.in === 'body');
    if (index === -1) return undefined;
    return {
      pointer: `${c.pointer}${pointer('parameters', String(index), 'schema')}`,
      mediaTypes: c.op.consumes ?? [],
      required: true,
    };
  }

  /** What is wrong with a value as an answer holding this schema (a `#/…` reference into the document). */
  checkAgainst(ref: string, value: unknown): string[] {
    return this.check(`response${ref}`, value, 'answer');
  }

  /** What is wrong with an answer of this operation (nothing: an empty list). */
  checkResponse(op: Operation, status: number, body: unknown): string[] {
    const c = this.compiled(op);
    const where = `${op.method} ${op.template}`;
    const responses = c.op.responses ?? {};
    const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : undefined;
    if (key === undefined) return [`status ${status} is not a documented answer of ${where}`];
    const declared = responses[key]!;
    const response = resolve(this.doc, declared);
    const base = declared.$ref
      ? pointer(...declared.$ref.slice(2).split('/').map(unescape))
      : `${c.pointer}${pointer('responses', key)}`;
    let schemaPointer: string | undefined;
    if (this.openapi3) {
      const json = Object.keys(response.content ?? {}).find((t) => t.includes('json'));
      if (json && response.content![json]!.schema) schemaPointer = `${base}${pointer('content', json, 'schema')}`;
    } else if (response.schema) schemaPointer = `${base}${pointer('schema')}`;
    if (!schemaPointer) return body === undefined ? [] : [`status ${status} of ${where} has no body in the specification`];
    if (body === undefined) return [`status ${status} of ${where} must have a body`];
    return this.check(`response#${schemaPointer}`, body, `answer ${status}`);
  }
}

function checkScalar(p: SpecParameter, value: string, what: string): string[] {
  const schema = p.schema ?? p;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'string'];
  const fits = (type: string) =>
    type === 'integer' ? /^-?\d+$/.test(value) : type === 'boolean' ? value === 'true' || value === 'false' : true;
  if (!types.some(fits)) return [`${what}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(value))
    return [`${what}: ${JSON.stringify(value)} is not one of ${schema.enum.map(String).join(', ')}`];
  const format = schema.format === undefined ? undefined : FORMATS[schema.format];
  if (types.find(fits) === 'string' && format && !format.test(value))
    return [`${what}: ${JSON.stringify(value)} is not ${schema.format}`];
  return [];
}
