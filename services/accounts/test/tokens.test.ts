import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, newId, sessionKey } from '@parley/kit';
import { adapterKinds, apiFor, expectFieldErrors, expectProblem, logIn, registerUser, uniqueIp, type Api, type SignedIn } from '@parley/kit/testing';
import { SignJWT, generateKeyPair, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxEventsOf, startAccounts, type AccountsHarness } from './harness.ts';

type SigningKey = CryptoKey | KeyObject | Uint8Array;

interface Claims {
  sub: string;
  sid: string;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch. */
  exp?: number;
  iat?: number;
}

/** Signs an access token the way accounts does, with whatever key and claims a test needs. */
function signToken(key: SigningKey, kid: string, claims: Claims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(claims.iss ?? ACCESS_TOKEN_ISSUER)
    .setAudience(claims.aud ?? ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(key);
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const payloadOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe.each(adapterKinds())('accounts tokens and sessions (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;
  /** The service's own signing key, read from its database. */
  let serviceKey: { kid: string; key: SigningKey };

  beforeAll(async () => {
    h = await startAccounts(kind, { AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
    const { rows } = await h.db.query<{ kid: string; private_jwk: JWK }>('SELECT kid, private_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1');
    const row = rows[0]!;
    serviceKey = { kid: row.kid, key: await importJWK(row.private_jwk, 'EdDSA') };
  });
  afterAll(async () => {
    await h?.stop();
  });

  const me = (token: string) => api('GET', '/api/v1/users/me', { token });

  describe('access tokens', () => {
    it('a token signed here with the service key for a live session works (the forgeries below differ in one thing)', async () => {
      const alice = await registerUser(api);
      const token = await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: alice.sessionId });
      const res = await me(token);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(alice.user.id);
    });

    type Forgery = (alice: SignedIn, bob: SignedIn) => Promise<Record<string, string>>;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const forgeries: [string, Forgery][] = [
      ['no Authorization header', async () => ({})],
      ['an empty bearer token', async () => ({ authorization: 'Bearer ' })],
      ['a garbage bearer token', async () => bearer('not-a-jwt')],
      ['three garbage parts', async () => bearer('aaa.bbb.ccc')],
      ['another scheme than Bearer', async (alice) => ({ authorization: `Basic ${alice.accessToken}` })],
      ['a token with a character outside base64url', async (alice) => bearer(`${alice.accessToken}!`)],
      [
        'a payload whose sub was changed, signature kept',
        async (alice, bob) => {
          const [header, , signature] = alice.accessToken.split('.');
          return bearer(`${header}.${b64url({ ...payloadOf(alice.accessToken), sub: bob.user.id })}.${signature}`);
        },
      ],
      ['an unsigned token (alg "none")', async (alice) => bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payloadOf(alice.accessToken))}.`)],
      [
        'a token signed with another EdDSA key under the service key id',
        async (alice) => {
          const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
          return bearer(await signToken(privateKey, serviceKey.kid, { sub: alice.user.id, sid: alice.sessionId }));
        },
      ],
      [
        'an expired token signed with the service key',
        async (alice) => {
          const now = Math.floor(Date.now() / 1000);
          return bearer(await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: alice.sessionId, iat: now - 3600, exp: now - 1800 }));
        },
      ],
      [
        'a token from another issuer',
        async (alice) => bearer(await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: alice.sessionId, iss: 'someone-else' })),
      ],
      [
        'a token for another audience',
        async (alice) => bearer(await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: alice.sessionId, aud: 'elsewhere' })),
      ],
      [
        'a validly signed token for a session that never existed',
        async (alice) => bearer(await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: newId() })),
      ],
      [
        "a validly signed token naming someone else's session",
        async (alice, bob) => bearer(await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: bob.sessionId })),
      ],
    ];
    describe('forgeries', () => {
      let alice: SignedIn;
      let bob: SignedIn;
      beforeAll(async () => {
        alice = await registerUser(api);
        bob = await registerUser(api);
      });
      it.each(forgeries)('with %s, a protected route answers 401 problem+json', async (_case, forge) => {
        const res = await api('GET', '/api/v1/users/me', { headers: await forge(alice, bob) });
        expectProblem(res, 401);
        // The genuine token still works: nothing above harmed the session.
        expect((await me(alice.accessToken)).status).toBe(200);
      });
    });

    it('an expired token is told apart in the problem detail', async () => {
      const alice = await registerUser(api);
      const now = Math.floor(Date.now() / 1000);
      const expired = await signToken(serviceKey.key, serviceKey.kid, { sub: alice.user.id, sid: alice.sessionId, iat: now - 3600, exp: now - 1 });
      const res = await me(expired);
      expectProblem(res, 401);
      expect(res.body.detail).toMatch(/expired/i);
    });

    it('when the cache loses a live session, its token still works (the database decides) and the entry comes back', async () => {
      const alice = await registerUser(api);
      await h.adapters.cache.del(sessionKey(alice.sessionId));
      expect(await h.adapters.cache.get(sessionKey(alice.sessionId))).toBeUndefined();
      expect((await me(alice.accessToken)).status).toBe(200);
      expect(await h.adapters.cache.get(sessionKey(alice.sessionId))).toEqual({ userId: alice.user.id });
    });

    it('when the cache loses a revoked session, its token still fails', async () => {
      const alice = await registerUser(api);
      expect((await api('POST', '/api/v1/auth/logout', { token: alice.accessToken })).status).toBe(204);
      await h.adapters.cache.del(sessionKey(alice.sessionId));
      expectProblem(await me(alice.accessToken), 401);
    });
  });

  describe('POST /api/v1/auth/refresh', () => {
    it('rotates: a new pair for the same session; the old access token works until logout', async () => {
      const alice = await registerUser(api);
      const res = await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: h.config.ACCESS_TOKEN_TTL_SECONDS,
        sessionId: alice.sessionId,
      });
      expect(res.body.refreshToken).not.toBe(alice.refreshToken);
      expect((await me(res.body.accessToken)).status).toBe(200);
      expect((await me(alice.accessToken)).status).toBe(200);

      expect((await api('POST', '/api/v1/auth/logout', { token: res.body.accessToken })).status).toBe(204);
      expectProblem(await me(alice.accessToken), 401);
      expectProblem(await me(res.body.accessToken), 401);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: res.body.refreshToken } }), 401);
    });

    it('when a spent refresh token is reused, it answers 401 and the whole session is revoked', async () => {
      const alice = await registerUser(api);
      const other = await logIn(api, alice.input.username, alice.input.password);
      const rotated = await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } });
      expect(rotated.status).toBe(200);

      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } }), 401);
      expectProblem(await me(alice.accessToken), 401);
      expectProblem(await me(rotated.body.accessToken), 401);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } }), 401);
      // Only that session: the user's other session goes on.
      expect((await me(other.accessToken)).status).toBe(200);
      expect(await outboxEventsOf(h, alice.user.id)).toContainEqual({
        type: 'session.revoked',
        data: { userId: alice.user.id, sessionId: alice.sessionId, reason: 'refresh_token_reused' },
      });
    });

    it('an unknown refresh token answers 401', async () => {
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'a'.repeat(43) } }), 401);
    });

    it('an expired refresh token answers 401', async () => {
      const alice = await registerUser(api);
      await h.db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 minute' WHERE session_id = $1`, [alice.sessionId]);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } }), 401);
    });

    const bad: [string, unknown, string[]][] = [
      ['nothing at all', {}, ['body.refreshToken']],
      ['a number', { refreshToken: 42 }, ['body.refreshToken']],
      ['an array', { refreshToken: ['token'] }, ['body.refreshToken']],
      ['an object', { refreshToken: { token: 'x' } }, ['body.refreshToken']],
      ['an empty string', { refreshToken: '' }, ['body.refreshToken']],
      ['a string over 512 characters', { refreshToken: 'r'.repeat(513) }, ['body.refreshToken']],
    ];
    it.each(bad)('with %s for the token, it answers 400 naming it', async (_case, body, fields) => {
      expectFieldErrors(await api('POST', '/api/v1/auth/refresh', { body }), fields);
    });

    it('with a malformed, empty or missing body, it answers 400 problem+json', async () => {
      expectProblem(await api('POST', '/api/v1/auth/refresh', { raw: '{"refreshToken":', headers: { 'content-type': 'application/json' } }), 400);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { raw: '', headers: { 'content-type': 'application/json' } }), 400);
      expectFieldErrors(await api('POST', '/api/v1/auth/refresh'), ['body']);
    });
  });

  describe('POST /api/v1/auth/logout', () => {
    it('answers 204 and the access token fails on the very next request; other sessions go on', async () => {
      const alice = await registerUser(api);
      const phone = await logIn(api, alice.input.username, alice.input.password);
      expect((await api('POST', '/api/v1/auth/logout', { token: alice.accessToken })).status).toBe(204);
      expectProblem(await me(alice.accessToken), 401);
      expectProblem(await api('POST', '/api/v1/auth/logout', { token: alice.accessToken }), 401);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } }), 401);
      expect((await me(phone.accessToken)).status).toBe(200);
    });

    it('without a token, it answers 401', async () => {
      expectProblem(await api('POST', '/api/v1/auth/logout'), 401);
    });
  });

  describe('GET and DELETE /api/v1/auth/sessions', () => {
    it("lists the caller's live sessions with device, ip, lastUsedAt and which one is current", async () => {
      const laptop = apiFor(h.baseUrl, { ip: uniqueIp(), userAgent: 'ParleyTest/1.0 (laptop)' });
      const phoneIp = uniqueIp();
      const phone = apiFor(h.baseUrl, { ip: phoneIp, userAgent: 'ParleyTest/1.0 (phone)' });
      const alice = await registerUser(laptop);
      const onPhone = await logIn(phone, alice.input.username, alice.input.password);

      const res = await laptop('GET', '/api/v1/auth/sessions', { token: alice.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(2);
      const current = res.body.items.find((s: { id: string }) => s.id === alice.sessionId);
      const other = res.body.items.find((s: { id: string }) => s.id === onPhone.sessionId);
      expect(current).toEqual({
        id: alice.sessionId,
        device: 'ParleyTest/1.0 (laptop)',
        ip: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        current: true,
      });
      expect(other).toMatchObject({ device: 'ParleyTest/1.0 (phone)', ip: phoneIp, current: false });
      for (const session of [current, other]) {
        for (const at of [session.createdAt, session.lastUsedAt, session.expiresAt]) expect(new Date(at).toISOString()).toBe(at);
      }

      // Sessions of other users never show.
      const bob = await registerUser(api);
      const bobs = await api('GET', '/api/v1/auth/sessions', { token: bob.accessToken });
      expect(bobs.body.items.map((s: { id: string }) => s.id)).toEqual([bob.sessionId]);
    });

    it('a refresh records where the session was last used', async () => {
      const alice = await registerUser(api);
      const before = (await api('GET', '/api/v1/auth/sessions', { token: alice.accessToken })).body.items[0];
      const elsewhereIp = uniqueIp();
      const rotated = await apiFor(h.baseUrl, { ip: elsewhereIp })('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } });
      expect(rotated.status).toBe(200);
      const after = (await api('GET', '/api/v1/auth/sessions', { token: alice.accessToken })).body.items[0];
      expect(after.ip).toBe(elsewhereIp);
      expect(Date.parse(after.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(before.lastUsedAt));
    });

    it('DELETE of another session of mine ends it at once and drops it from the list', async () => {
      const alice = await registerUser(api);
      const phone = await logIn(api, alice.input.username, alice.input.password);
      expect((await api('DELETE', `/api/v1/auth/sessions/${phone.sessionId}`, { token: alice.accessToken })).status).toBe(204);
      expectProblem(await me(phone.accessToken), 401);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: phone.refreshToken } }), 401);
      const list = await api('GET', '/api/v1/auth/sessions', { token: alice.accessToken });
      expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([alice.sessionId]);
      // Ending it again: it is no longer a live session of mine.
      expectProblem(await api('DELETE', `/api/v1/auth/sessions/${phone.sessionId}`, { token: alice.accessToken }), 404);
    });

    it("DELETE of someone else's session answers 404 and leaves it working", async () => {
      const alice = await registerUser(api);
      const bob = await registerUser(api);
      expectProblem(await api('DELETE', `/api/v1/auth/sessions/${bob.sessionId}`, { token: alice.accessToken }), 404);
      expect((await me(bob.accessToken)).status).toBe(200);
    });

    it('DELETE of an unknown session id answers 404, of a malformed one 400', async () => {
      const alice = await registerUser(api);
      expectProblem(await api('DELETE', `/api/v1/auth/sessions/${newId()}`, { token: alice.accessToken }), 404);
      expectFieldErrors(await api('DELETE', '/api/v1/auth/sessions/not-a-session', { token: alice.accessToken }), ['params.id']);
      expectFieldErrors(await api('DELETE', `/api/v1/auth/sessions/${newId()}0`, { token: alice.accessToken }), ['params.id']);
      expectFieldErrors(await api('DELETE', '/api/v1/auth/sessions/0000000g-0000-7000-8000-000000000000', { token: alice.accessToken }), ['params.id']);
    });

    it('without a token, both answer 401', async () => {
      expectProblem(await api('GET', '/api/v1/auth/sessions'), 401);
      expectProblem(await api('DELETE', `/api/v1/auth/sessions/${newId()}`), 401);
    });
  });

  describe('PUT /api/v1/users/me/password', () => {
    it('with a wrong current password, it answers 400 naming it and nothing changes', async () => {
      const alice = await registerUser(api);
      const res = await api('PUT', '/api/v1/users/me/password', {
        token: alice.accessToken,
        body: { currentPassword: 'not the password', newPassword: 'brand new secret' },
      });
      expectFieldErrors(res, ['body.currentPassword']);
      await logIn(api, alice.input.username, alice.input.password);
      expectProblem(await api('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'brand new secret' } }), 401);
    });

    const bad: [string, unknown, string[]][] = [
      ['nothing at all', {}, ['body.currentPassword', 'body.newPassword']],
      ['a new password of 7 characters', { currentPassword: 'whatever1', newPassword: 'seven77' }, ['body.newPassword']],
      ['a new password over 256 characters', { currentPassword: 'whatever1', newPassword: 'n'.repeat(257) }, ['body.newPassword']],
      ['numbers for strings', { currentPassword: 12345678, newPassword: 87654321 }, ['body.currentPassword', 'body.newPassword']],
      ['arrays for strings', { currentPassword: ['a'], newPassword: ['b'] }, ['body.currentPassword', 'body.newPassword']],
      ['an empty current password', { currentPassword: '', newPassword: 'brand new secret' }, ['body.currentPassword']],
    ];
    it.each(bad)('with %s, it answers 400 naming each bad field', async (_case, body, fields) => {
      const alice = await registerUser(api);
      expectFieldErrors(await api('PUT', '/api/v1/users/me/password', { token: alice.accessToken, body }), fields);
    });

    it('on success, other sessions end, this one goes on, and only the new password signs in', async () => {
      const alice = await registerUser(api);
      const phone = await logIn(api, alice.input.username, alice.input.password);
      const res = await api('PUT', '/api/v1/users/me/password', {
        token: alice.accessToken,
        body: { currentPassword: alice.input.password, newPassword: 'brand new secret' },
      });
      expect(res.status).toBe(204);

      expectProblem(await me(phone.accessToken), 401);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: phone.refreshToken } }), 401);
      expect((await me(alice.accessToken)).status).toBe(200);
      expect((await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } })).status).toBe(200);

      await logIn(api, alice.input.username, 'brand new secret');
      expectProblem(await api('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: alice.input.password } }), 401);
      expect(await outboxEventsOf(h, alice.user.id)).toContainEqual({
        type: 'session.revoked',
        data: { userId: alice.user.id, sessionId: phone.sessionId, reason: 'password_changed' },
      });
    });

    it('without a token, it answers 401', async () => {
      expectProblem(await api('PUT', '/api/v1/users/me/password', { body: { currentPassword: 'whatever1', newPassword: 'whatever2' } }), 401);
    });
  });
});
