import type { FastifySchema } from 'fastify';
import { requireAuth, type RequireAuthOptions, type TokenVerifier } from '../auth.ts';

/** The OpenAPI security requirement of every authenticated route: a bearer access token. */
export const BEARER_SECURITY = [{ bearer: [] }];

type PublicRoute<S extends FastifySchema> = { schema: S & { tags: string[] } };
type AuthenticatedRoute<S extends FastifySchema> = {
  onRequest: ReturnType<typeof requireAuth>;
  schema: S & { tags: string[]; security: typeof BEARER_SECURITY };
};

export interface RouteOpenings {
  /** A route anyone may call: its schema, tagged. */
  open<S extends FastifySchema>(schema: S): PublicRoute<S>;
  /**
   * A route for a signed-in caller: the token is checked on onRequest, before the body is read,
   * parsed or validated, so a caller without a valid token gets 401 whatever it sends; the
   * schema is tagged and declares the bearer security. `alsoRead`: cache entries read with the
   * session in one round trip (ReadAhead); `alongside`: work whose cache commands share it.
   */
  authenticated<S extends FastifySchema>(schema: S, options?: RequireAuthOptions): AuthenticatedRoute<S>;
}

/**
 * How a routes file opens its routes: one place sets authentication, the OpenAPI tags and the
 * security requirement, so no route can forget one or check the token after validation.
 *
 *   const route = routeOpenings(verify, 'groups');
 *   app.get('/api/v1/groups', route.authenticated({ summary, querystring, response }), handler);
 */
export function routeOpenings(verify: TokenVerifier, tag: string): RouteOpenings {
  const tags = [tag];
  const onRequest = requireAuth(verify);
  return {
    open: (schema) => ({ schema: { tags, ...schema } }),
    authenticated: (schema, options = {}) => ({
      onRequest: options.alsoRead || options.alongside ? requireAuth(verify, options) : onRequest,
      schema: { tags, security: BEARER_SECURITY, ...schema },
    }),
  };
}
