import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { storableInput } from './storable-text.ts';

type ValidatorRoute = Parameters<typeof zodValidatorCompiler>[0];

/**
 * Request validation from the routes' zod schemas, with two rules added for every route:
 *
 * - every body, query string and path parameter goes through the storable-text rule first (no
 *   NUL, no lone surrogates), whatever the route's own schema says;
 * - a query string may carry only the parameters its route declares. A misspelt or unsupported
 *   parameter (say `?cursor=` on history, which pages with `before`/`after`) answers 400 naming
 *   it, rather than being silently ignored and returning page one. Bodies keep zod's default
 *   (unknown fields are dropped, never applied), so a client sending extra fields still works.
 */
export const validatorCompiler = (route: ValidatorRoute): ReturnType<typeof zodValidatorCompiler> => {
  const own = route.httpPart === 'querystring' && route.schema instanceof z.ZodObject ? route.schema.strict() : (route.schema as z.ZodType);
  return zodValidatorCompiler({ ...route, schema: storableInput(own) });
};
