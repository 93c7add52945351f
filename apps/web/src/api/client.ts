import createClient from 'openapi-fetch';
import { tokens, type TokenStore } from '../auth/tokens';
import { ApiError } from './problem';
import type { paths } from './schema';

/**
 * fetch with the bearer token: adds it, and on a 401 refreshes once (single-flight in the
 * TokenStore) and replays the request with the new token. Requests without a session go out
 * as they are (register, login).
 */
export function createAuthFetch(store: TokenStore, base: typeof fetch = (input, init) => globalThis.fetch(input, init)) {
  return async function authFetch(request: Request): Promise<Response> {
    if (!store.hasSession) return base(request);
    const replay = request.clone();
    const token = await store.valid();
    const first = await base(withBearer(request, token));
    if (first.status !== 401) return first;
    const fresh = await store.refresh(token);
    return base(withBearer(replay, fresh));
  };
}

function withBearer(request: Request, token: string): Request {
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

export const authFetch = createAuthFetch(tokens);

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? 'http://localhost', fetch: authFetch });

/** The body of a successful openapi-fetch answer, or an ApiError carrying the problem+json. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, typeof error === 'object' && error !== null ? error : {});
  return data as T;
}
