import { newId } from '@parley/kit';
import { adapterKinds, apiFor, expectFieldErrors, expectProblem, registerUser, type Api, type SignedIn } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishPresence, startAccounts, type AccountsHarness } from './harness.ts';
import { cachedUsers } from '../src/domain/user-cache.ts';

const PUBLIC_FIELDS = ['avatarUrl', 'bio', 'displayName', 'id', 'lastSeenAt', 'status', 'statusText', 'username'];
const STATUSES = ['online', 'away', 'dnd', 'invisible'] as const;

describe.each(adapterKinds())('accounts profiles and search (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;
  /** Someone who looks at other people's profiles. */
  let viewer: SignedIn;

  beforeAll(async () => {
    h = await startAccounts(kind, { AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
    viewer = await registerUser(api);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const profileOf = (id: string, token = viewer.accessToken) => api('GET', `/api/v1/users/${id}`, { token });

  describe('GET and PATCH /api/v1/users/me', () => {
    it("answers the caller's own profile, private fields included", async () => {
      const alice = await registerUser(api);
      const res = await api('GET', '/api/v1/users/me', { token: alice.accessToken });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: alice.user.id,
        username: alice.input.username,
        displayName: alice.input.displayName,
        email: alice.input.email,
        avatarUrl: null,
        bio: '',
        locale: 'en',
        status: 'online',
        statusText: null,
        lastSeenAt: null,
        lastLoginAt: expect.any(String),
        createdAt: expect.any(String),
      });
    });

    it('answers the same from the database (cache lost) as from the cache, and the entry comes back', async () => {
      const alice = await registerUser(api);
      // The first request records last-seen through the worker (then not again for a minute):
      // wait for it, so the profile holds still and has a timestamp of each kind.
      await vi.waitFor(async () => expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body.lastSeenAt).not.toBeNull());
      await h.adapters.cache.del(cachedUsers.key(alice.user.id));
      const fromDatabase = await api('GET', '/api/v1/users/me', { token: alice.accessToken });
      expect(fromDatabase.status).toBe(200);
      expect(await h.adapters.cache.get(cachedUsers.key(alice.user.id))).toBeDefined();
      const fromCache = await api('GET', '/api/v1/users/me', { token: alice.accessToken });
      expect(fromCache.body).toEqual(fromDatabase.body);
      expect(fromCache.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('a change shows on the very next read, for me and for others (no stale cache)', async () => {
      const alice = await registerUser(api);
      // Read first, so both views sit in the cache before the change.
      expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body.bio).toBe('');
      expect((await profileOf(alice.user.id)).body.bio).toBe('');

      const patch = await api('PATCH', '/api/v1/users/me', {
        token: alice.accessToken,
        body: { displayName: '  Alice A.  ', bio: 'Down the rabbit hole', locale: 'ru-RU' },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ displayName: 'Alice A.', bio: 'Down the rabbit hole', locale: 'ru-RU' });

      expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body).toMatchObject({
        displayName: 'Alice A.',
        bio: 'Down the rabbit hole',
        locale: 'ru-RU',
      });
      expect((await profileOf(alice.user.id)).body).toMatchObject({ displayName: 'Alice A.', bio: 'Down the rabbit hole' });
    });

    it('a field left out keeps its value, and an empty bio clears the bio', async () => {
      const alice = await registerUser(api);
      await api('PATCH', '/api/v1/users/me', { token: alice.accessToken, body: { bio: 'first', locale: 'de' } });
      const res = await api('PATCH', '/api/v1/users/me', { token: alice.accessToken, body: { bio: '' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ bio: '', locale: 'de', displayName: alice.input.displayName });
    });

    const bad: [string, unknown, string[]][] = [
      ['no field at all', {}, ['body']],
      ['only unknown fields', { nickname: 'al', email: 'x@y.test' }, ['body']],
      ['a bio over 500 characters', { bio: 'b'.repeat(501) }, ['body.bio']],
      ['a bio with a NUL character', { bio: 'a\u0000b' }, ['body.bio']],
      ['a bio with an unpaired surrogate', { bio: 'a\ud800b' }, ['body.bio']],
      ['a null bio', { bio: null }, ['body.bio']],
      ['a locale that is no language tag', { locale: 'english!' }, ['body.locale']],
      ['a one-letter locale', { locale: 'e' }, ['body.locale']],
      ['a locale over 35 characters', { locale: `en-${'abcdefgh-'.repeat(4)}x1` }, ['body.locale']],
      ['an empty display name', { displayName: '' }, ['body.displayName']],
      ['a blank display name', { displayName: '   ' }, ['body.displayName']],
      ['a display name over 64 characters', { displayName: 'd'.repeat(65) }, ['body.displayName']],
      ['numbers for strings', { displayName: 1, bio: 2, locale: 3 }, ['body.displayName', 'body.bio', 'body.locale']],
      ['arrays and objects for strings', { displayName: ['A'], bio: { text: 'x' }, locale: ['en'] }, ['body.displayName', 'body.bio', 'body.locale']],
      ['a JSON array', [{ bio: 'x' }], ['body']],
    ];
    it.each(bad)('PATCH with %s answers 400 naming each bad field', async (_case, body, fields) => {
      expectFieldErrors(await api('PATCH', '/api/v1/users/me', { token: viewer.accessToken, body }), fields);
    });

    it('PATCH with a malformed, empty or missing body answers 400 problem+json', async () => {
      const token = viewer.accessToken;
      expectProblem(await api('PATCH', '/api/v1/users/me', { token, raw: '{"bio":', headers: { 'content-type': 'application/json' } }), 400);
      expectProblem(await api('PATCH', '/api/v1/users/me', { token, raw: '', headers: { 'content-type': 'application/json' } }), 400);
      expectFieldErrors(await api('PATCH', '/api/v1/users/me', { token }), ['body']);
    });
  });

  describe('PUT /api/v1/users/me/status', () => {
    it.each(STATUSES)('setting "%s" answers 200 and shows on my profile', async (status) => {
      const res = await api('PUT', '/api/v1/users/me/status', { token: viewer.accessToken, body: { status } });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
      expect((await api('GET', '/api/v1/users/me', { token: viewer.accessToken })).body.status).toBe(status);
    });

    it('a status text shows to others; setting a status without one clears it', async () => {
      const alice = await registerUser(api);
      await publishPresence(h, alice.user.id, 'online');
      expect((await profileOf(alice.user.id)).body.status).toBe('online');
      const res = await api('PUT', '/api/v1/users/me/status', { token: alice.accessToken, body: { status: 'dnd', text: '  In a meeting  ' } });
      expect(res.body).toMatchObject({ status: 'dnd', statusText: 'In a meeting' });
      expect((await profileOf(alice.user.id)).body).toMatchObject({ statusText: 'In a meeting' });
      await api('PUT', '/api/v1/users/me/status', { token: alice.accessToken, body: { status: 'away' } });
      expect((await profileOf(alice.user.id)).body).toMatchObject({ statusText: null });
    });

    it('an invisible user shows to others as offline with no last-seen time or text; to itself as invisible', async () => {
      const alice = await registerUser(api);
      await api('GET', '/api/v1/users/me', { token: alice.accessToken });
      // Being seen is recorded by the worker; wait until others see it.
      await vi.waitFor(
        async () => {
          expect((await profileOf(alice.user.id)).body.lastSeenAt).toEqual(expect.any(String));
        },
        { timeout: 10_000, interval: 100 },
      );

      const res = await api('PUT', '/api/v1/users/me/status', { token: alice.accessToken, body: { status: 'invisible', text: 'hiding' } });
      expect(res.status).toBe(200);
      expect((await profileOf(alice.user.id)).body).toMatchObject({ status: 'offline', lastSeenAt: null, statusText: null });
      const search = await api('GET', `/api/v1/users?q=${alice.input.username}`, { token: viewer.accessToken });
      expect(search.body.items.find((u: { id: string }) => u.id === alice.user.id)).toMatchObject({ status: 'offline', lastSeenAt: null });
      const own = await api('GET', '/api/v1/users/me', { token: alice.accessToken });
      expect(own.body).toMatchObject({ status: 'invisible', statusText: 'hiding', lastSeenAt: expect.any(String) });
    });

    const bad: [string, unknown, string[]][] = [
      ['an unknown status', { status: 'busy' }, ['body.status']],
      ['"offline", which only others see', { status: 'offline' }, ['body.status']],
      ['a status in capitals', { status: 'ONLINE' }, ['body.status']],
      ['no status', { text: 'hello' }, ['body.status']],
      ['a status list', { status: ['online'] }, ['body.status']],
      ['a status text over 100 characters', { status: 'dnd', text: 't'.repeat(101) }, ['body.text']],
      ['a numeric status text', { status: 'dnd', text: 5 }, ['body.text']],
      ['a status text with a NUL character', { status: 'dnd', text: 'a\u0000' }, ['body.text']],
    ];
    it.each(bad)('with %s, it answers 400 naming each bad field', async (_case, body, fields) => {
      expectFieldErrors(await api('PUT', '/api/v1/users/me/status', { token: viewer.accessToken, body }), fields);
    });

    it('with a malformed or missing body, it answers 400 problem+json', async () => {
      expectProblem(
        await api('PUT', '/api/v1/users/me/status', { token: viewer.accessToken, raw: 'status=online', headers: { 'content-type': 'application/json' } }),
        400,
      );
      expectFieldErrors(await api('PUT', '/api/v1/users/me/status', { token: viewer.accessToken }), ['body']);
    });
  });

  describe('GET /api/v1/users/:id', () => {
    it('answers the public profile only: no email, locale or login times', async () => {
      const alice = await registerUser(api);
      const res = await profileOf(alice.user.id);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(PUBLIC_FIELDS);
      // Never connected: offline to others (docs/presence.md).
      expect(res.body).toMatchObject({ id: alice.user.id, username: alice.input.username, displayName: alice.input.displayName, status: 'offline' });
      expect(JSON.stringify(res.body)).not.toContain(alice.input.email);
    });

    it('an unknown id answers 404, a malformed one 400', async () => {
      expectProblem(await profileOf(newId()), 404);
      expectProblem(await profileOf('00000000-0000-0000-0000-000000000000'), 404);
      expectFieldErrors(await profileOf('not-a-user'), ['params.id']);
      expectFieldErrors(await profileOf(`${newId()}'--`), ['params.id']);
    });
  });

  describe('GET /api/v1/users?q=', () => {
    const names = ['alice_walker', 'alicia_moss', 'bobby_tables', 'margarethe_vonwald'];
    let found: Record<string, string>;
    const search = async (q: string, extra = '') => {
      const res = await api('GET', `/api/v1/users?q=${encodeURIComponent(q)}${extra}`, { token: viewer.accessToken });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items as { id: string; username: string; displayName: string }[];
    };

    beforeAll(async () => {
      found = {};
      for (const username of names) found[username] = (await registerUser(api, { username, displayName: username.replace('_', ' ') })).user.id;
      found['zelda'] = (await registerUser(api, { username: 'hyrule_princess', displayName: 'Zelda Harkinian' })).user.id;
    });

    it('a prefix ("ali") finds the usernames that start with it, and not the others', async () => {
      const usernames = (await search('ali')).map((u) => u.username);
      expect(usernames).toEqual(expect.arrayContaining(['alice_walker', 'alicia_moss']));
      expect(usernames).not.toContain('bobby_tables');
      expect(usernames).not.toContain('margarethe_vonwald');
    });

    it('matching ignores letter case', async () => {
      expect((await search('ALI')).map((u) => u.username)).toEqual(expect.arrayContaining(['alice_walker', 'alicia_moss']));
    });

    it('a one-letter typo in a longer username still finds it', async () => {
      expect((await search('margarete_vonwald')).map((u) => u.id)).toContain(found['margarethe_vonwald']);
      expect((await search('margarethe_vonwaid')).map((u) => u.id)).toContain(found['margarethe_vonwald']);
    });

    it('a display-name prefix finds the user too', async () => {
      expect((await search('zelda')).map((u) => u.id)).toContain(found['zelda']);
    });

    it('results are public profiles, and limit caps their number', async () => {
      const items = await search('ali', '&limit=1');
      expect(items).toHaveLength(1);
      expect(Object.keys(items[0]!).sort()).toEqual(PUBLIC_FIELDS);
    });

    it('never matches on e-mail addresses: a full or partial address finds nobody, a leading "@" handle still works', async () => {
      // An address whose local part is the username: fuzzy matching used to find its owner by it.
      const quinn = await registerUser(api, { username: 'quinn_harper', email: 'quinn_harper@mail.example', displayName: 'Q H' });
      expect((await search('quinn_harper')).map((u) => u.id)).toContain(quinn.user.id);
      expect((await search('@quinn_harper')).map((u) => u.id)).toContain(quinn.user.id);
      for (const q of ['quinn_harper@mail.example', 'QUINN_HARPER@MAIL.EXAMPLE', 'quinn_harper@', 'quinn_harper@mail', '@mail.example']) {
        expect(await search(q), q).toEqual([]);
      }
    });

    it('"%" and "_" are matched literally, not as wildcards', async () => {
      expect(await search('%')).toEqual([]);
      expect(await search('%ice')).toEqual([]);
    });

    const bad: [string, string, string[]][] = [
      ['no q', '', ['querystring.q']],
      ['an empty q', '?q=', ['querystring.q']],
      ['a blank q', '?q=%20%20', ['querystring.q']],
      ['a q over 64 characters', `?q=${'q'.repeat(65)}`, ['querystring.q']],
      ['q given twice', '?q=ali&q=bob', ['querystring.q']],
      ['a q with a NUL character', '?q=al%00i', ['querystring.q']],
      ['limit 0', '?q=ali&limit=0', ['querystring.limit']],
      ['limit 201', '?q=ali&limit=201', ['querystring.limit']],
      ['a limit that is no number', '?q=ali&limit=ten', ['querystring.limit']],
      ['a fractional limit', '?q=ali&limit=1.5', ['querystring.limit']],
    ];
    it.each(bad)('with %s, it answers 400 naming the parameter', async (_case, query, fields) => {
      expectFieldErrors(await api('GET', `/api/v1/users${query}`, { token: viewer.accessToken }), fields);
    });
  });

  it.each([
    ['GET', '/api/v1/users/me'],
    ['PATCH', '/api/v1/users/me'],
    ['PUT', '/api/v1/users/me/status'],
    ['PUT', '/api/v1/users/me/password'],
    ['PUT', '/api/v1/users/me/avatar'],
    ['GET', '/api/v1/users/me/activity'],
    ['GET', '/api/v1/users?q=ali'],
    ['GET', `/api/v1/users/${newId()}`],
  ])('without a token, %s %s answers 401', async (method, path) => {
    expectProblem(await api(method, path), 401);
  });

  it('without a valid token, even a malformed body answers 401: the token is checked before the body', async () => {
    expectProblem(await api('PATCH', '/api/v1/users/me', { raw: '{"bio":', headers: { 'content-type': 'application/json' } }), 401);
    expectProblem(await api('PUT', '/api/v1/users/me/status', { token: 'garbage', body: { status: 'nope' } }), 401);
  });
});
