import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type ValidatorRoute = Parameters<typeof zodValidatorCompiler>[0];

/**
 * Request validation from the routes' zod schemas, with one rule added: a query string may
 * carry only the parameters its route declares. A misspelt or unsupported parameter (say
 * `?cursor=` on history, which pages with `before`/`after`) answers 400 naming it, rather
 * than being silently ignored and returning page one. Bodies keep zod's default (unknown
 * fields are dropped, never applied), so a client sending extra fields still works.
 */
export const validatorCompiler = (route: ValidatorRoute): ReturnType<typeof zodValidatorCompiler> =>
  zodValidatorCompiler(route.httpPart === 'querystring' && route.schema instanceof z.ZodObject ? { ...route, schema: route.schema.strict() } : route);
