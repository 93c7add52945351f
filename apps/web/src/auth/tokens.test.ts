import createClient from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { createAuthFetch } from '../api/client';
import type { paths } from '../api/schema';
import { SignedOutError, TokenStore } from './tokens';

const pair = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 900 });

function setup() {
  const api = new FakeApi();
  let issued = 1;
  api.on('POST', /^\/api\/v1\/auth\/refresh$/, (call) => {
    const presented = (call.body as { refreshToken: string }).refreshToken;
    if (presented !== `refresh-${issued}`) return { status: 401, body: { title: 'spent' } };
    issued += 1;
    return { status: 200, body: { ...pair(issued), sessionId: 's', user: {} } };
  });
  // Only the newest access token is accepted.
  api.on('GET', /^\/api\/v1\/users\/me$/, (call) =>
    call.authorization === `Bearer access-${issued}` ? { status: 200, body: { id: 'me' } } : { status: 401, body: { title: 'expired' } },
  );
  const storage = new Map<string, string>();
  const store = new TokenStore({
    fetch: api.fetch,
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value), removeItem: (key) => void storage.delete(key) },
    locks: undefined,
  });
  const client = createClient<paths>({ baseUrl: 'http://localhost:3000', fetch: createAuthFetch(store, api.fetch) });
  return { api, store, client, storage, rotate: () => (issued += 1) };
}

describe('token refresh', () => {
  it('when several requests get a 401 at once, one refresh runs and every request is replayed with the new token', async () => {
    const { api, store, client } = setup();
    store.accept(pair(1));
    // The server moves on (the access token expired): it now expects the token after the next refresh.
    store.accept({ ...pair(1), accessToken: 'access-0' });

    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => client.GET('/api/v1/users/me')));

    expect(answers.map((answer) => answer.response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(api.callsTo('POST', /refresh$/)).toHaveLength(1);
    expect(store.current).toBe('access-2');
    // Each request: the refused attempt and the replay.
    expect(api.callsTo('GET', /users\/me$/).filter((call) => call.authorization === 'Bearer access-2')).toHaveLength(5);
  });

  it('when a request gets a 401 after another already refreshed, it retries with the new token without refreshing again', async () => {
    const { api, store } = setup();
    store.accept(pair(1));
    await store.refresh('access-1');
    const token = await store.refresh('access-1');
    expect(token).toBe('access-2');
    expect(api.callsTo('POST', /refresh$/)).toHaveLength(1);
  });

  it('when the access token is about to expire, the next request refreshes first instead of failing', async () => {
    const { api, store, client } = setup();
    store.accept({ ...pair(1), expiresIn: 30 });
    const answer = await client.GET('/api/v1/users/me');
    expect(answer.response.status).toBe(200);
    expect(api.callsTo('POST', /refresh$/)).toHaveLength(1);
    expect(api.callsTo('GET', /users\/me$/)).toHaveLength(1);
  });

  it('when the refresh token is refused, the session is cleared and callers learn they are signed out', async () => {
    const { store, storage } = setup();
    store.accept({ ...pair(7) });
    await expect(store.refresh('access-7')).rejects.toBeInstanceOf(SignedOutError);
    expect(store.hasSession).toBe(false);
    expect(storage.size).toBe(0);
  });

  it('when the refresh cannot reach the server, the session is kept for a later try', async () => {
    const { api, store } = setup();
    store.accept(pair(1));
    api.offline = true;
    await expect(store.refresh('access-1')).rejects.toBeInstanceOf(TypeError);
    expect(store.hasSession).toBe(true);
  });
});
