/**
 * Hostile requests derived from the platform's OpenAPI document: every operation's body, query
 * string and path parameters get wrong types, objects and arrays where strings go, huge strings,
 * NUL and invalid UTF-8, unsafe integers, NaN and Infinity, negative and huge numbers, invalid
 * JSON, wrong content types and fields that must be ignored. A new endpoint is covered as soon as
 * it is in the document.
 */
import type { RawRequest } from './raw-client.ts';

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  default?: unknown;
  nullable?: boolean;
}

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  method: string;
  /** The OpenAPI path, e.g. /api/v1/groups/{id}. */
  template: string;
  parameters: Parameter[];
  body?: JsonSchema;
  secured: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; security?: unknown[] }>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operations.push({
        method: method.toUpperCase(),
        template,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
        secured: (operation.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

export const isWrite = (operation: Operation): boolean => operation.method !== 'GET';

/** What a test knows how to fill in: real ids for path parameters and id-like fields. */
export interface Fixtures {
  /** A value for a path parameter, from its name and the path segment before it. */
  pathValue(name: string, segmentBefore: string): string;
  /** A uuid for an id-like body or query field (e.g. userId, userIds). */
  idFor(field: string): string;
  unique(): string;
}

const firstOf = (schema: JsonSchema): JsonSchema => schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema.allOf?.[0] ?? schema;
const typeOf = (schema: JsonSchema): string | undefined => {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  return type ?? (schema.properties ? 'object' : undefined);
};

/** A value the schema accepts as far as JSON Schema can say (custom checks may still refuse it: a 400 is fine). */
export function sampleOf(schema: JsonSchema | undefined, field: string, fixtures: Fixtures): unknown {
  if (!schema) return 'sample';
  const s = firstOf(schema);
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (typeOf(s)) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(name)) value[name] = sampleOf(property, name, fixtures);
      }
      return value;
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sampleOf(s.items, field.replace(/s$/, ''), fixtures));
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string':
    default:
      if (s.format === 'uuid' || /Ids?$|^id$/.test(field)) return fixtures.idFor(field);
      if (s.format === 'email' || field === 'email') return `${fixtures.unique()}@example.test`;
      if (s.format === 'date-time') return new Date().toISOString();
      return `s_${fixtures.unique()}`.slice(0, Math.max(s.maxLength ?? 64, 8)).padEnd(Math.max(s.minLength ?? 1, 1), 'x');
  }
}

/** Raw JSON literals JSON.stringify cannot produce. */
const RAW = {
  unsafeInt: '9007199254740993',
  hugeInt: '1' + '0'.repeat(400),
  infinity: '1e999',
  nan: 'NaN',
};

/** Values that go where a field's value goes: [label, JSON text]. */
const HOSTILE_VALUES: [string, string][] = [
  ['an object', '{"$ne":null}'],
  ['an empty array', '[]'],
  ['an array of strings', '["a","b"]'],
  ['a number', '12345'],
  ['a negative number', '-1'],
  ['a fraction', '1.5'],
  ['true', 'true'],
  ['null', 'null'],
  ['a huge string', JSON.stringify('x'.repeat(100_000))],
  ['a NUL', JSON.stringify('a\u0000b')],
  ['a lone surrogate', '"a\\ud800b"'],
  ['an int past 2^53', RAW.unsafeInt],
  ['1e999 (Infinity)', RAW.infinity],
  ['NaN', RAW.nan],
  ['a deep array', '['.repeat(2000) + ']'.repeat(2000)],
];

export interface HostileCase {
  label: string;
  request: RawRequest;
}

const json = (text: string | Buffer, contentType = 'application/json'): Pick<RawRequest, 'headers' | 'body'> => ({
  headers: { 'content-type': contentType },
  body: text,
});

/** The request path with path parameters filled in (or one of them replaced by `override`). */
export function pathOf(operation: Operation, fixtures: Fixtures, override?: { name: string; raw: string }): string {
  const segments = operation.template.split('/');
  return segments
    .map((segment, index) => {
      const match = /^\{(.+)\}$/.exec(segment);
      if (!match?.[1]) return segment;
      if (override?.name === match[1]) return override.raw;
      return encodeURIComponent(fixtures.pathValue(match[1], segments[index - 1] ?? ''));
    })
    .join('/');
}

function queryOf(operation: Operation, fixtures: Fixtures, override?: { name: string; raw: string }): string {
  const parts: string[] = [];
  for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
    if (override?.name === parameter.name) {
      parts.push(override.raw);
      continue;
    }
    if (!parameter.required) continue;
    const value = sampleOf(parameter.schema, parameter.name, fixtures);
    parts.push(`${encodeURIComponent(parameter.name)}=${encodeURIComponent(String(value))}`);
  }
  if (override && !operation.parameters.some((p) => p.in === 'query' && p.name === override.name)) parts.push(override.raw);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Every hostile case for one operation (auth headers are added by the runner). */
export function hostileCases(operation: Operation, fixtures: Fixtures): HostileCase[] {
  const cases: HostileCase[] = [];
  const base = pathOf(operation, fixtures);
  const query = queryOf(operation, fixtures);
  const add = (label: string, request: Omit<RawRequest, 'method'> & { method?: string }): void => {
    cases.push({ label: `${operation.method} ${operation.template}: ${label}`, request: { method: operation.method, ...request } });
  };

  // Path parameters: each one hostile in turn.
  for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
    for (const [label, raw] of [
      ['a NUL', 'a%00b'],
      ['invalid UTF-8', '%FF%FE'],
      ['a lone surrogate', '%ED%A0%80'],
      ['a traversal', '..%2F..%2Fetc%2Fpasswd'],
      ['a huge segment', 'x'.repeat(5000)],
      ['an int past 2^53', RAW.unsafeInt],
      ['-1', '-1'],
      ['a random uuid', '01890a5d-ac96-774b-bcce-b302099a8057'],
    ] as const) {
      add(`path ${parameter.name} = ${label}`, { path: `${pathOf(operation, fixtures, { name: parameter.name, raw })}${query}`, ...bodyFor(operation, fixtures) });
    }
  }

  // Query parameters (declared ones, and an undeclared one that must be ignored).
  const queryNames = [...operation.parameters.filter((p) => p.in === 'query').map((p) => p.name), 'unexpected'];
  for (const name of queryNames) {
    for (const [label, raw] of [
      ['empty', ''],
      ['a NUL', 'a%00b'],
      ['invalid UTF-8', '%FF%FE%FD'],
      ['a huge value', 'x'.repeat(6000)],
      ['-1', '-1'],
      ['0', '0'],
      ['an int past 2^53', RAW.unsafeInt],
      ['a 400-digit int', RAW.hugeInt],
      ['NaN', 'NaN'],
      ['1e999', '1e999'],
      ['a fraction', '1.5'],
      ['an object (bracket syntax)', null],
      ['given twice', null],
    ] as const) {
      const encoded =
        label === 'an object (bracket syntax)' ? `${name}[$ne]=x` : label === 'given twice' ? `${name}=a&${name}=b` : `${encodeURIComponent(name)}=${raw}`;
      add(`query ${name} = ${label}`, { path: `${base}${queryOf(operation, fixtures, { name, raw: encoded })}`, ...bodyFor(operation, fixtures) });
    }
  }

  if (!isWrite(operation)) return cases;
  const path = `${base}${query}`;
  const sample = operation.body ? sampleOf(operation.body, 'body', fixtures) : {};
  const sampleText = JSON.stringify(sample);

  // Whole-body cases.
  add('invalid JSON', { path, ...json('{"a":') });
  add('an empty JSON body', { path, ...json('') });
  add('NaN as the body', { path, ...json('NaN') });
  add('a JSON array', { path, ...json('[]') });
  add('a JSON string', { path, ...json('"text"') });
  add('a JSON number', { path, ...json('42') });
  add('JSON null', { path, ...json('null') });
  add('a deep array', { path, ...json('['.repeat(5000) + ']'.repeat(5000)) });
  add('a prototype-polluting body', { path, ...json(sampleText.replace(/^\{/, '{"__proto__":{"admin":true},')) });
  add('a constructor-polluting body', { path, ...json(sampleText.replace(/^\{/, '{"constructor":{"prototype":{"admin":true}},')) });
  // Invalid UTF-8 inside a string field the body really has (or an unknown one when it has none).
  const textField = Object.entries(sample as Record<string, unknown>).find(([, value]) => typeof value === 'string')?.[0] ?? 'x';
  const [head = '', tail = ''] = JSON.stringify({ ...(sample as object), [textField]: '__BYTES__' }).split('__BYTES__');
  add(`invalid UTF-8 bytes in ${textField}`, {
    path,
    ...json(Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(tail)])),
  });
  add('text/plain', { path, ...json(sampleText, 'text/plain') });
  add('application/xml', { path, ...json('<a>b</a>', 'application/xml') });
  add('a form', { path, ...json('a=b&c=d', 'application/x-www-form-urlencoded') });
  add('multipart without a boundary', { path, ...json('--x\r\n', 'multipart/form-data') });
  add('JSON in latin1', { path, ...json(sampleText, 'application/json; charset=latin1') });
  add('a body with no content type', { path, body: sampleText });
  add('the sample body', { path, ...json(sampleText) });
  add('the sample body with fields that must be ignored', {
    path,
    ...json(
      JSON.stringify({
        ...(sample as object),
        senderId: fixtures.idFor('userId'),
        createdAt: '2000-01-01T00:00:00.000Z',
        role: 'owner',
        ownerId: fixtures.idFor('userId'),
        id: fixtures.idFor('id'),
      }),
    ),
  });

  // Each top-level field, hostile in turn.
  const fields = Object.keys(firstOf(operation.body ?? {}).properties ?? {});
  for (const field of fields.length ? fields : ['x']) {
    for (const [label, value] of HOSTILE_VALUES) {
      const others = JSON.stringify({ ...(sample as object), [field]: '__HOSTILE__' });
      add(`body ${field} = ${label}`, { path, ...json(others.replace('"__HOSTILE__"', value)) });
    }
  }
  return cases;
}

/** A JSON body for non-body cases of write operations, so they reach the part under test. */
function bodyFor(operation: Operation, fixtures: Fixtures): Pick<RawRequest, 'headers' | 'body'> {
  if (!isWrite(operation)) return {};
  return json(JSON.stringify(operation.body ? sampleOf(operation.body, 'body', fixtures) : {}));
}
