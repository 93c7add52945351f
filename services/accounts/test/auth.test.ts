import { adapterKinds, apiFor, buildUser, expectFieldErrors, expectProblem, logIn, registerUser, uniqueIp, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccounts, type AccountsHarness } from './harness.ts';

// Low limits so the rate-limit tests stay short; every test speaks from its own client address,
// so the per-address limit of one test never reaches another.
const LOGIN_MAX_FAILURES = 3;
const AUTH_MAX_PER_IP = 10;

const LONE_SURROGATE = '\ud800';

describe.each(adapterKinds())('accounts register and login (%s)', (kind) => {
  let h: AccountsHarness;
  const client = (): Api => apiFor(h.baseUrl, { ip: uniqueIp() });

  beforeAll(async () => {
    h = await startAccounts(kind, { LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES), AUTH_MAX_PER_IP: String(AUTH_MAX_PER_IP) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('POST /api/v1/auth/register', () => {
    it('with a valid body, it answers 201 with the profile and a token pair that works at once', async () => {
      const api = client();
      const input = buildUser();
      const res = await api('POST', '/api/v1/auth/register', { body: input });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        user: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          username: input.username,
          email: input.email,
          displayName: input.displayName,
          avatarUrl: null,
          bio: '',
          status: 'online',
          locale: 'en',
          lastLoginAt: expect.any(String),
        },
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: h.config.ACCESS_TOKEN_TTL_SECONDS,
        sessionId: expect.any(String),
      });
      expect(res.body.user).not.toHaveProperty('password');
      expect(res.body.user).not.toHaveProperty('passwordHash');
      const me = await api('GET', '/api/v1/users/me', { token: res.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(res.body.user.id);
    });

    it('without a display name, the username stands in for it', async () => {
      const { displayName: _unused, ...input } = buildUser();
      const res = await client()('POST', '/api/v1/auth/register', { body: input });
      expect(res.status).toBe(201);
      expect(res.body.user.displayName).toBe(input.username);
    });

    it('usernames of 3 and of 32 characters of letters (either case), digits, "_" and "." are accepted', async () => {
      const api = client();
      for (const username of ['A.b', `Q_${'x'.repeat(27)}.9z`]) {
        const res = await api('POST', '/api/v1/auth/register', { body: buildUser({ username }) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.user.username).toBe(username);
      }
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
      ['nothing at all', {}, ['body.username', 'body.email', 'body.password']],
      [
        'numbers and booleans for strings',
        { username: 5, email: true, password: 12345678, displayName: 7 },
        ['body.username', 'body.email', 'body.password', 'body.displayName'],
      ],
      [
        'arrays and objects for strings',
        { username: ['abc'], email: { a: 1 }, password: ['x'.repeat(8)], displayName: {} },
        ['body.username', 'body.email', 'body.password', 'body.displayName'],
      ],
      ['nulls', { username: null, email: null, password: null }, ['body.username', 'body.email', 'body.password']],
      ['a 2-character username', { username: 'ab' }, ['body.username']],
      ['a 33-character username', { username: 'a'.repeat(33) }, ['body.username']],
      ['a username with "-"', { username: 'ab-cd' }, ['body.username']],
      ['a username with a space', { username: 'ab cd' }, ['body.username']],
      ['a username with "@"', { username: 'ab@cd' }, ['body.username']],
      ['a username with a non-ASCII letter', { username: 'jürgen' }, ['body.username']],
      ['an email without "@"', { email: 'not-an-email' }, ['body.email']],
      ['an email over 254 characters', { email: `${'a'.repeat(250)}@x.io` }, ['body.email']],
      ['a 7-character password', { password: 'seven77' }, ['body.password']],
      ['a password over 256 characters', { password: 'p'.repeat(257) }, ['body.password']],
      ['a display name over 64 characters', { displayName: 'd'.repeat(65) }, ['body.displayName']],
      ['a blank display name', { displayName: '   ' }, ['body.displayName']],
      ['a display name with a NUL character', { displayName: 'a\u0000b' }, ['body.displayName']],
      ['a display name with an unpaired surrogate', { displayName: `a${LONE_SURROGATE}b` }, ['body.displayName']],
    ];
    it.each(bad)('with %s, it answers 400 naming each bad field', async (_case, fields, expected) => {
      const body = Object.keys(fields).length === 0 ? {} : { ...buildUser(), ...fields };
      expectFieldErrors(await client()('POST', '/api/v1/auth/register', { body }), expected);
    });

    it('with a malformed JSON body, it answers 400 problem+json', async () => {
      expectProblem(await client()('POST', '/api/v1/auth/register', { raw: '{"username": "abc",', headers: { 'content-type': 'application/json' } }), 400);
    });

    it('with an empty JSON body, it answers 400 problem+json', async () => {
      expectProblem(await client()('POST', '/api/v1/auth/register', { raw: '', headers: { 'content-type': 'application/json' } }), 400);
    });

    it('with no body at all, or JSON that is not an object, it answers 400 naming the body', async () => {
      const api = client();
      expectFieldErrors(await api('POST', '/api/v1/auth/register'), ['body']);
      expectFieldErrors(await api('POST', '/api/v1/auth/register', { body: ['a', 'b'] }), ['body']);
      expectFieldErrors(await api('POST', '/api/v1/auth/register', { raw: 'null', headers: { 'content-type': 'application/json' } }), ['body']);
      expectFieldErrors(await api('POST', '/api/v1/auth/register', { raw: '"alice"', headers: { 'content-type': 'application/json' } }), ['body']);
    });

    it('with a "__proto__" key in the JSON, it answers 400', async () => {
      const raw = JSON.stringify(buildUser()).replace('{', '{"__proto__":{"admin":true},');
      expectProblem(await client()('POST', '/api/v1/auth/register', { raw, headers: { 'content-type': 'application/json' } }), 400);
    });

    it('with a content type it does not read, it answers 415', async () => {
      expectProblem(await client()('POST', '/api/v1/auth/register', { raw: '<user/>', headers: { 'content-type': 'application/xml' } }), 415);
    });

    it('when the username is taken in another letter case ("Alice_x", then "alice_X"), it answers 409 naming the username', async () => {
      const api = client();
      await registerUser(api, { username: 'Alice_x' });
      const res = await api('POST', '/api/v1/auth/register', { body: buildUser({ username: 'alice_X' }) });
      expectProblem(res, 409, ['body.username']);
      expect(res.body.errors['body.email']).toBeUndefined();
    });

    it('when the email is registered (in any letter case), it answers a generic 409 that names no field and says nothing about the email', async () => {
      const api = client();
      await registerUser(api, { email: 'Mixed.Case@Example.test' });
      const res = await api('POST', '/api/v1/auth/register', { body: buildUser({ email: 'mixed.case@example.TEST' }) });
      expectProblem(res, 409);
      expect(res.body.errors).toBeUndefined();
      expect(JSON.stringify(res.body).toLowerCase()).not.toMatch(/e-?mail/);
    });

    it('when two registrations race for one username, one gets 201 and the other 409, never a 500', async () => {
      const api = client();
      const [first, second] = await Promise.all([
        api('POST', '/api/v1/auth/register', { body: buildUser({ username: 'racer_one' }) }),
        api('POST', '/api/v1/auth/register', { body: buildUser({ username: 'Racer_One' }) }),
      ]);
      expect([first.status, second.status].sort()).toEqual([201, 409]);
      expectProblem(first.status === 409 ? first : second, 409, ['body.username']);
    });

    it('when both are taken, the 409 names the username only (usernames are public; emails are not)', async () => {
      const api = client();
      const first = await registerUser(api);
      const res = await api('POST', '/api/v1/auth/register', { body: buildUser({ username: first.input.username, email: first.input.email }) });
      expectProblem(res, 409, ['body.username']);
      expect(res.body.errors['body.email']).toBeUndefined();
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('by username, it answers 200 with the profile and a new session', async () => {
      const api = client();
      const alice = await registerUser(api);
      const res = await api('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: alice.input.password } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        user: { id: alice.user.id, username: alice.input.username, email: alice.input.email },
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: h.config.ACCESS_TOKEN_TTL_SECONDS,
      });
      expect(res.body.sessionId).not.toBe(alice.sessionId);
      expect((await api('GET', '/api/v1/users/me', { token: res.body.accessToken })).status).toBe(200);
    });

    it('by email, or by username, in any letter case and with stray spaces, it signs in', async () => {
      const api = client();
      const alice = await registerUser(api);
      for (const login of [alice.input.email, alice.input.email.toUpperCase(), ` ${alice.input.username.toUpperCase()} `]) {
        const signedIn = await logIn(api, login, alice.input.password);
        expect(signedIn.user.id).toBe(alice.user.id);
      }
    });

    it('a wrong password and an unknown login answer the same 401, so answers reveal no accounts', async () => {
      const api = client();
      const alice = await registerUser(api);
      const wrongPassword = await api('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'not the password' } });
      const unknownUser = await api('POST', '/api/v1/auth/login', { body: { login: 'nobody_by_that_name', password: 'not the password' } });
      expectProblem(wrongPassword, 401);
      expectProblem(unknownUser, 401);
      expect(unknownUser.body).toEqual(wrongPassword.body);
      expect(unknownUser.headers.get('content-type')).toBe(wrongPassword.headers.get('content-type'));
    });

    const bad: [string, unknown, string[]][] = [
      ['nothing at all', {}, ['body.login', 'body.password']],
      ['numbers and booleans for strings', { login: 5, password: true }, ['body.login', 'body.password']],
      ['arrays and objects for strings', { login: ['alice'], password: { value: 'secret123' } }, ['body.login', 'body.password']],
      ['an empty login and password', { login: '', password: '' }, ['body.login', 'body.password']],
      ['a blank login', { login: '   ', password: 'whatever1' }, ['body.login']],
      ['a login over 254 characters', { login: 'l'.repeat(255), password: 'whatever1' }, ['body.login']],
      ['a password over 256 characters', { login: 'alice', password: 'p'.repeat(257) }, ['body.password']],
      ['a login with a NUL character', { login: 'ali\u0000ce', password: 'whatever1' }, ['body.login']],
      ['a JSON array', ['alice', 'secret'], ['body']],
    ];
    it.each(bad)('with %s, it answers 400 naming each bad field', async (_case, body, expected) => {
      expectFieldErrors(await client()('POST', '/api/v1/auth/login', { body }), expected);
    });

    it('with a malformed or empty JSON body, it answers 400 problem+json', async () => {
      const api = client();
      expectProblem(await api('POST', '/api/v1/auth/login', { raw: '{login:', headers: { 'content-type': 'application/json' } }), 400);
      expectProblem(await api('POST', '/api/v1/auth/login', { raw: '', headers: { 'content-type': 'application/json' } }), 400);
      expectFieldErrors(await api('POST', '/api/v1/auth/login'), ['body']);
    });

    it(`after ${LOGIN_MAX_FAILURES} failed logins for one account from one address (by username and by email), that address waits (429, Retry-After) even with the right password`, async () => {
      const api = client();
      const alice = await registerUser(api);
      const fail = (login: string) => api('POST', '/api/v1/auth/login', { body: { login, password: 'not the password' } });
      expectProblem(await fail(alice.input.username), 401);
      expectProblem(await fail(alice.input.email.toUpperCase()), 401);
      expectProblem(await fail(alice.input.username), 401);

      const slowed = await api('POST', '/api/v1/auth/login', { body: { login: alice.input.email, password: alice.input.password } });
      expectProblem(slowed, 429);
      const retryAfter = Number(slowed.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(h.config.LOGIN_DELAY_MAX_SECONDS);
      // The sessions it already has keep working.
      expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).status).toBe(200);
    });

    it('failures from anywhere else never lock the owner out: a right password from an address with no failures gets in', async () => {
      const alice = await registerUser(client());
      // An attacker on many addresses, each up to and past its own limit.
      for (let address = 0; address < 4; address += 1) {
        const attacker = client();
        for (let i = 0; i < LOGIN_MAX_FAILURES; i += 1) {
          expectProblem(await attacker('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'guess' } }), 401);
        }
        expectProblem(await attacker('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'guess' } }), 429);
      }
      await logIn(client(), alice.input.username, alice.input.password);
    });

    it('an unknown login is slowed down after as many failures, with the same answer as an existing account', async () => {
      const api = client();
      const alice = await registerUser(api);
      const other = client();
      for (let i = 0; i < LOGIN_MAX_FAILURES; i += 1) {
        expectProblem(await api('POST', '/api/v1/auth/login', { body: { login: 'ghost_account', password: 'not the password' } }), 401);
        expectProblem(await other('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'not the password' } }), 401);
      }
      const ghost = await api('POST', '/api/v1/auth/login', { body: { login: 'ghost_account', password: 'not the password' } });
      const real = await other('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'not the password' } });
      expectProblem(ghost, 429);
      expectProblem(real, 429);
      expect(ghost.body).toEqual(real.body);
    });

    it('a successful login clears the failures counted so far', async () => {
      const api = client();
      const alice = await registerUser(api);
      for (let round = 0; round < 2; round += 1) {
        for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i += 1) {
          expectProblem(await api('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: 'not the password' } }), 401);
        }
        await logIn(api, alice.input.username, alice.input.password);
      }
    });

    it(`after ${AUTH_MAX_PER_IP} register and login attempts from one address, both answer 429 with Retry-After; other addresses go on`, async () => {
      const api = client();
      const alice = await registerUser(api);
      // Conflicting registrations are cheap (no password hashing) and count as attempts too.
      for (let i = 1; i < AUTH_MAX_PER_IP; i += 1) {
        expectProblem(await api('POST', '/api/v1/auth/register', { body: buildUser({ username: alice.input.username }) }), 409);
      }
      const login = await api('POST', '/api/v1/auth/login', { body: { login: alice.input.username, password: alice.input.password } });
      expectProblem(login, 429);
      expect(Number(login.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const register = await api('POST', '/api/v1/auth/register', { body: buildUser() });
      expectProblem(register, 429);
      expect(register.headers.get('retry-after')).toMatch(/^\d+$/);

      await logIn(client(), alice.input.username, alice.input.password);
    });
  });

  describe('public endpoints', () => {
    it('GET /.well-known/jwks.json lists the EdDSA public key, and no private part of it', async () => {
      const res = await client()('GET', '/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys.length).toBeGreaterThanOrEqual(1);
      for (const key of res.body.keys) {
        expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String), x: expect.any(String) });
        expect(key).not.toHaveProperty('d');
      }
    });

    it('the OpenAPI document describes the accounts endpoints', async () => {
      const res = await client()('GET', '/openapi.json');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/users/me', '/api/v1/contacts/{userId}']));
    });

    it('health and readiness answer without a token; metrics are not on the API port', async () => {
      const api = client();
      expect((await api('GET', '/healthz')).status).toBe(200);
      const ready = await api('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ database: true, bus: true, redis: true });
      expect((await api('GET', '/metrics')).status).toBe(404);
    });

    it.each([
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/auth/nope'],
      ['DELETE', '/api/v1/auth/login'],
      ['GET', '/api/v1/users/me/nope'],
      ['PATCH', '/api/v1/contacts'],
    ])('an unknown route (%s %s) answers 404 problem+json', async (method, path) => {
      expectProblem(await client()(method, path), 404);
    });
  });
});
