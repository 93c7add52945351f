import type { Logger } from '@parley/kit';

interface OpenApiDocument {
  openapi?: string;
  info?: unknown;
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: unknown[];
}

/** Where clients find the rest of the contract: the WebSocket protocol is not REST, so it has its own document. */
const WEBSOCKET_NOTE =
  'The public REST API of Parley. Real-time events come over the WebSocket at `/ws`: its frames are described ' +
  'by the AsyncAPI document at `/api/v1/asyncapi.json` (built from the same schemas the server uses) and ' +
  'its protocol (authentication, close codes, resuming by `seq`) in docs/realtime.md.';

/**
 * The platform's OpenAPI document: every service's own document (generated from its route
 * schemas) merged into one, fetched on demand so it always matches what is deployed.
 */
export async function mergedOpenApi(upstreams: readonly string[], logger: Logger): Promise<OpenApiDocument> {
  const merged: Required<Pick<OpenApiDocument, 'paths'>> & OpenApiDocument = {
    openapi: '3.0.3',
    info: { title: 'Parley API', version: '1.0.0', description: WEBSOCKET_NOTE },
    paths: {},
    components: { schemas: {}, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
  const documents = await Promise.all(
    [...new Set(upstreams)].map(async (base) => {
      try {
        const response = await fetch(`${base}/openapi.json`, { signal: AbortSignal.timeout(3000) });
        return response.ok ? ((await response.json()) as OpenApiDocument) : undefined;
      } catch (error) {
        logger.warn({ err: error, upstream: base }, 'could not fetch an OpenAPI document');
        return undefined;
      }
    }),
  );
  for (const doc of documents) {
    if (!doc) continue;
    Object.assign(merged.paths, doc.paths ?? {});
    Object.assign(merged.components!.schemas!, doc.components?.schemas ?? {});
  }
  return merged;
}
