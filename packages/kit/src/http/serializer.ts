import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type SerializerCompiler = Parameters<typeof zodSerializerCompiler>[0];

/**
 * Response serialisation from the routes' zod response schemas, compiled once per route with
 * fast-json-stringify (the serializer Fastify itself uses for JSON Schema) instead of running
 * a zod encode and JSON.stringify on every answer: on a cheap route that was a few per cent of
 * the CPU per request (bench/RESULTS.md, accounts).
 *
 * What still holds: only the schema's properties leave the process (objects are closed,
 * `additionalProperties: false`, so a stray column is dropped, never leaked) and a missing
 * required field is a 500, as before. What is no longer checked at run time: the value
 * constraints (enum members, formats, lengths); the handlers' return types are checked
 * against the same schemas at compile time by the zod type provider.
 *
 * A schema JSON Schema cannot express (transforms, dates, custom checks) keeps the zod
 * serializer, so nothing changes for it.
 */
export const serializerCompiler = (route: SerializerCompiler): ((data: unknown) => string) => {
  const compiled = compileFast(route.schema);
  return compiled ?? zodSerializerCompiler(route);
};

function compileFast(schema: unknown): ((data: unknown) => string) | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  try {
    // `output`: the handler returns the schema's output type (what the zod serializer encodes from).
    const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'throw' });
    return fastJson(jsonSchema as Parameters<typeof fastJson>[0]);
  } catch {
    return undefined;
  }
}
