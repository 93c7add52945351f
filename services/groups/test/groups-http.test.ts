import { newId } from '@parley/kit';
import { adapterKinds, apiFor, expectFieldErrors, expectProblem, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGroupsStack, type GroupsStack, type StackUser } from './stack.ts';
import { cachedMembers } from '../src/domain/group-cache.ts';

// Two services start per file (two databases); on a busy machine that alone can take a minute.
vi.setConfig({ hookTimeout: 180_000, testTimeout: 120_000 });

const LONE_SURROGATE = '\ud800';

describe.each(adapterKinds())('groups REST endpoints and their input (%s)', (kind) => {
  let stack: GroupsStack;
  let api: Api;
  let alice: StackUser;
  let bob: StackUser;
  let carol: StackUser;
  let dave: StackUser;

  beforeAll(async () => {
    stack = await startGroupsStack(kind);
    api = apiFor(stack.groupsUrl);
    [alice, bob, carol, dave] = await Promise.all([stack.register(), stack.register(), stack.register(), stack.register()]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A group owned by alice with bob as a member. */
  const newGroup = async (body: Record<string, unknown> = {}): Promise<string> => {
    const res = await api('POST', '/api/v1/groups', { token: alice.token, body: { name: 'Team', memberIds: [bob.id], ...body } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };

  describe('POST /api/v1/groups', () => {
    it('with a valid body, it answers 201 with the group, the caller as owner and the members counted', async () => {
      const res = await api('POST', '/api/v1/groups', {
        token: alice.token,
        body: { name: '  Design team  ', description: 'Pixels', memberIds: [bob.id, carol.id] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Design team',
        description: 'Pixels',
        ownerId: alice.id,
        memberCount: 3,
        myRole: 'owner',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const members = await api('GET', `/api/v1/groups/${res.body.id}/members`, { token: bob.token });
      expect(members.body.items.map((m: any) => [m.userId, m.role]).sort()).toEqual(
        [
          [alice.id, 'owner'],
          [bob.id, 'member'],
          [carol.id, 'member'],
        ].sort(),
      );
    });

    it('with only a name, the group has no description and the caller alone', async () => {
      const res = await api('POST', '/api/v1/groups', { token: alice.token, body: { name: 'Solo' } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'Solo', description: null, memberCount: 1 });
    });

    it('names of 1 and of 100 characters are accepted', async () => {
      for (const name of ['x', 'n'.repeat(100)]) {
        const res = await api('POST', '/api/v1/groups', { token: alice.token, body: { name } });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.name).toBe(name);
      }
    });

    it('with the caller, repeats and upper-case ids among memberIds, each user is a member once and the caller stays owner', async () => {
      const res = await api('POST', '/api/v1/groups', {
        token: alice.token,
        body: { name: 'Dupes', memberIds: [alice.id, bob.id, bob.id.toUpperCase(), carol.id] },
      });
      expect(res.status).toBe(201);
      expect(res.body.memberCount).toBe(3);
      const members = await api('GET', `/api/v1/groups/${res.body.id}/members`, { token: alice.token });
      expect(members.body.items.find((m: any) => m.userId === alice.id).role).toBe('owner');
    });

    it('with extra fields (an id, another owner), they are ignored', async () => {
      const res = await api('POST', '/api/v1/groups', {
        token: alice.token,
        body: { name: 'Extra', id: newId(), ownerId: bob.id, myRole: 'member', memberCount: 99, admin: true },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'Extra', ownerId: alice.id, myRole: 'owner', memberCount: 1 });
    });

    it('with memberIds naming users that do not exist, it answers 400 naming them and creates nothing', async () => {
      const ghost1 = newId();
      const ghost2 = newId();
      const before = await api('GET', '/api/v1/groups?limit=200', { token: alice.token });
      const res = await api('POST', '/api/v1/groups', { token: alice.token, body: { name: 'Ghosts', memberIds: [bob.id, ghost1, ghost2] } });
      expectFieldErrors(res, ['body.memberIds']);
      expect(res.body.errors['body.memberIds'].join(' ')).toContain(ghost1);
      expect(res.body.errors['body.memberIds'].join(' ')).toContain(ghost2);
      expect(res.body.errors['body.memberIds'].join(' ')).not.toContain(bob.id);
      const after = await api('GET', '/api/v1/groups?limit=200', { token: alice.token });
      expect(after.body.items.length).toBe(before.body.items.length);
    });

    const tooMany = Array.from({ length: 1001 }, () => newId());
    const bad: [string, unknown, string[]][] = [
      ['an empty body', {}, ['body.name']],
      ['an empty name', { name: '' }, ['body.name']],
      ['a blank name', { name: '   ' }, ['body.name']],
      ['a name of 101 characters', { name: 'n'.repeat(101) }, ['body.name']],
      ['a number as name', { name: 42 }, ['body.name']],
      ['null as name', { name: null }, ['body.name']],
      ['an array as name', { name: ['Team'] }, ['body.name']],
      ['an object as name', { name: { text: 'Team' } }, ['body.name']],
      ['a NUL character in the name', { name: 'a\u0000b' }, ['body.name']],
      ['an unpaired surrogate in the name', { name: `a${LONE_SURROGATE}` }, ['body.name']],
      ['a description of 1001 characters', { name: 'ok', description: 'd'.repeat(1001) }, ['body.description']],
      ['a number as description', { name: 'ok', description: 5 }, ['body.description']],
      ['an array as description', { name: 'ok', description: ['x'] }, ['body.description']],
      ['a string as memberIds', { name: 'ok', memberIds: newId() }, ['body.memberIds']],
      ['an object as memberIds', { name: 'ok', memberIds: { id: newId() } }, ['body.memberIds']],
      ['a malformed id in memberIds', { name: 'ok', memberIds: [newId(), 'not-a-uuid'] }, ['body.memberIds.1']],
      ['a number in memberIds', { name: 'ok', memberIds: [7] }, ['body.memberIds.0']],
      ['1001 memberIds', { name: 'ok', memberIds: tooMany }, ['body.memberIds']],
      ['two bad fields', { name: '', description: 1 }, ['body.name', 'body.description']],
      ['a JSON array as the body', [{ name: 'ok' }], ['body']],
      ['a JSON string as the body', 'ok', ['body']],
    ];
    it.each(bad)('with %s, it answers 400 naming the field', async (_what, body, fields) => {
      const res = await api('POST', '/api/v1/groups', { token: alice.token, body });
      expectFieldErrors(res, fields);
    });

    it('with 1000 memberIds, the length is accepted (and the unknown users named)', async () => {
      const ids = Array.from({ length: 1000 }, () => newId());
      const res = await api('POST', '/api/v1/groups', { token: alice.token, body: { name: 'Big', memberIds: ids } });
      expectFieldErrors(res, ['body.memberIds']);
      expect(res.body.errors['body.memberIds'].join(' ')).toContain(ids[999]);
    });

    it('with malformed JSON, it answers 400', async () => {
      const res = await api('POST', '/api/v1/groups', { token: alice.token, raw: '{"name": "x",', headers: { 'content-type': 'application/json' } });
      expectProblem(res, 400);
    });

    it('without a body, it answers 400', async () => {
      const res = await api('POST', '/api/v1/groups', { token: alice.token });
      expectProblem(res, 400);
    });

    it('with an empty JSON body, it answers 400', async () => {
      const res = await api('POST', '/api/v1/groups', { token: alice.token, raw: '', headers: { 'content-type': 'application/json' } });
      expectProblem(res, 400);
    });

    it('with a content type it does not read, it answers 415; as plain text, 400 (not an object)', async () => {
      expectProblem(await api('POST', '/api/v1/groups', { token: alice.token, raw: '<name>x</name>', headers: { 'content-type': 'application/xml' } }), 415);
      expectFieldErrors(await api('POST', '/api/v1/groups', { token: alice.token, raw: 'name=x', headers: { 'content-type': 'text/plain' } }), ['body']);
    });

    it('without a token or with a forged one, it answers 401', async () => {
      expectProblem(await api('POST', '/api/v1/groups', { body: { name: 'x' } }), 401);
      expectProblem(await api('POST', '/api/v1/groups', { token: 'not.a.jwt', body: { name: 'x' } }), 401);
    });

    it('after the caller logged out, the token answers 401', async () => {
      const eve = await stack.register();
      expect((await apiFor(stack.accountsUrl)('POST', '/api/v1/auth/logout', { token: eve.token })).status).toBe(204);
      expectProblem(await api('POST', '/api/v1/groups', { token: eve.token, body: { name: 'x' } }), 401);
    });
  });

  describe('GET /api/v1/groups', () => {
    it("lists the caller's groups newest first, page by page, with the caller's role in each", async () => {
      const frank = await stack.register();
      const owned = await api('POST', '/api/v1/groups', { token: frank.token, body: { name: 'First' } });
      const joined = await api('POST', '/api/v1/groups', { token: alice.token, body: { name: 'Second', memberIds: [frank.id] } });
      const third = await api('POST', '/api/v1/groups', { token: frank.token, body: { name: 'Third' } });
      const page1 = await api('GET', '/api/v1/groups?limit=2', { token: frank.token });
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((g: any) => [g.name, g.myRole])).toEqual([
        ['Third', 'owner'],
        ['Second', 'member'],
      ]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await api('GET', `/api/v1/groups?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`, { token: frank.token });
      expect(page2.body.items.map((g: any) => g.id)).toEqual([owned.body.id]);
      expect(page2.body.nextCursor).toBeNull();
      const all = await api('GET', '/api/v1/groups', { token: frank.token });
      expect(all.body.items.map((g: any) => g.id)).toEqual([third.body.id, joined.body.id, owned.body.id]);
      expect(all.body.nextCursor).toBeNull();
    });

    it('for a user in no group, it answers an empty page', async () => {
      const loner = await stack.register();
      const res = await api('GET', '/api/v1/groups', { token: loner.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });

    it.each([
      ['limit=0', ['querystring.limit']],
      ['limit=201', ['querystring.limit']],
      ['limit=abc', ['querystring.limit']],
      ['limit=1.5', ['querystring.limit']],
      ['limit=1&limit=2', ['querystring.limit']],
      ['cursor=not-a-cursor', ['querystring.cursor']],
      [`cursor=${Buffer.from(JSON.stringify(['x'])).toString('base64url')}`, ['querystring.cursor']],
      [`cursor=${'c'.repeat(201)}`, ['querystring.cursor']],
    ])('with ?%s, it answers 400 naming the parameter', async (query, fields) => {
      expectFieldErrors(await api('GET', `/api/v1/groups?${query}`, { token: alice.token }), fields);
    });

    it('without a token, it answers 401', async () => {
      expectProblem(await api('GET', '/api/v1/groups'), 401);
    });
  });

  describe('GET /api/v1/groups/:id', () => {
    it('for a member, it answers the group with their role', async () => {
      const id = await newGroup({ description: 'About' });
      const res = await api('GET', `/api/v1/groups/${id}`, { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'Team', description: 'About', ownerId: alice.id, memberCount: 2, myRole: 'member' });
    });

    it('with the id in upper case, it answers the same group', async () => {
      const id = await newGroup();
      const res = await api('GET', `/api/v1/groups/${id.toUpperCase()}`, { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(id);
    });

    it('with a malformed id, it answers 400; with an unknown one, 404', async () => {
      expectFieldErrors(await api('GET', '/api/v1/groups/not-a-uuid', { token: alice.token }), ['params.id']);
      expectFieldErrors(await api('GET', '/api/v1/groups/12345', { token: alice.token }), ['params.id']);
      expectProblem(await api('GET', `/api/v1/groups/${newId()}`, { token: alice.token }), 404);
    });
  });

  describe('PATCH /api/v1/groups/:id', () => {
    it('renames the group (trimmed) and changes its description', async () => {
      const id = await newGroup();
      const res = await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, body: { name: '  Renamed ', description: 'New' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'Renamed', description: 'New', myRole: 'owner' });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.createdAt));
    });

    it('with an empty or a null description, it clears the description', async () => {
      const id = await newGroup({ description: 'Something' });
      const empty = await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, body: { description: '   ' } });
      expect(empty.status).toBe(200);
      expect(empty.body.description).toBeNull();
      await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, body: { description: 'Again' } });
      const cleared = await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, body: { description: null } });
      expect(cleared.body.description).toBeNull();
    });

    it('with extra fields besides a name, they are ignored', async () => {
      const id = await newGroup();
      const res = await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, body: { name: 'Only', ownerId: bob.id, memberCount: 1 } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Only', ownerId: alice.id, memberCount: 2 });
    });

    const bad: [string, unknown, string[]][] = [
      ['an empty body', {}, ['body']],
      ['only unknown fields', { title: 'x' }, ['body']],
      ['an empty name', { name: '' }, ['body.name']],
      ['a blank name', { name: ' \t ' }, ['body.name']],
      ['a name of 101 characters', { name: 'n'.repeat(101) }, ['body.name']],
      ['null as name', { name: null }, ['body.name']],
      ['a number as name', { name: 1 }, ['body.name']],
      ['an array as name', { name: ['x'] }, ['body.name']],
      ['a description of 1001 characters', { description: 'd'.repeat(1001) }, ['body.description']],
      ['a boolean as description', { description: true }, ['body.description']],
      ['a JSON array as the body', [{ name: 'x' }], ['body']],
    ];
    it.each(bad)('with %s, it answers 400 naming the field', async (_what, body, fields) => {
      const id = await newGroup();
      expectFieldErrors(await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, body }), fields);
    });

    it('with malformed JSON, it answers 400; a malformed id, 400; an unknown id, 404', async () => {
      const id = await newGroup();
      expectProblem(await api('PATCH', `/api/v1/groups/${id}`, { token: alice.token, raw: '{name', headers: { 'content-type': 'application/json' } }), 400);
      expectFieldErrors(await api('PATCH', '/api/v1/groups/nope', { token: alice.token, body: { name: 'x' } }), ['params.id']);
      expectProblem(await api('PATCH', `/api/v1/groups/${newId()}`, { token: alice.token, body: { name: 'x' } }), 404);
    });
  });

  describe('DELETE /api/v1/groups/:id', () => {
    it('deletes the group: it answers 204 and then 404 to everyone, and leaves their lists', async () => {
      const id = await newGroup();
      expect((await api('DELETE', `/api/v1/groups/${id}`, { token: alice.token })).status).toBe(204);
      expectProblem(await api('GET', `/api/v1/groups/${id}`, { token: alice.token }), 404);
      expectProblem(await api('GET', `/api/v1/groups/${id}/members`, { token: bob.token }), 404);
      expectProblem(await api('DELETE', `/api/v1/groups/${id}`, { token: alice.token }), 404);
      const list = await api('GET', '/api/v1/groups?limit=200', { token: bob.token });
      expect(list.body.items.map((g: any) => g.id)).not.toContain(id);
    });

    it('with a malformed id, it answers 400; with an unknown one, 404', async () => {
      expectFieldErrors(await api('DELETE', '/api/v1/groups/xyz', { token: alice.token }), ['params.id']);
      expectProblem(await api('DELETE', `/api/v1/groups/${newId()}`, { token: alice.token }), 404);
    });
  });

  describe('GET /api/v1/groups/:id/members', () => {
    it('pages through the members, oldest membership first, with their roles', async () => {
      const first = await api('POST', '/api/v1/groups', { token: alice.token, body: { name: 'Paged', memberIds: [bob.id] } });
      const id: string = first.body.id;
      await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body: { userIds: [carol.id] } });
      await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body: { userIds: [dave.id] } });
      const seen: any[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `limit=1&cursor=${encodeURIComponent(cursor)}` : 'limit=1';
        const page = await api('GET', `/api/v1/groups/${id}/members?${query}`, { token: carol.token });
        expect(page.status).toBe(200);
        expect(page.body.items).toHaveLength(1);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(4);
      for (const m of seen) expect(m).toEqual({ userId: expect.any(String), role: expect.any(String), joinedAt: expect.any(String) });
      // alice and bob joined together at creation; carol, then dave came later.
      expect(
        seen
          .slice(0, 2)
          .map((m) => m.userId)
          .sort(),
      ).toEqual([alice.id, bob.id].sort());
      expect(seen.slice(2).map((m) => m.userId)).toEqual([carol.id, dave.id]);
      const all = await api('GET', `/api/v1/groups/${id}/members`, { token: carol.token });
      expect(all.body.items).toEqual(seen);
      expect(all.body.nextCursor).toBeNull();
    });

    it('members who joined within one millisecond are each listed exactly once across pages', async () => {
      const id = await newGroup();
      // Two joins in the same millisecond, the later one (by microseconds) with the smaller id:
      // written directly, as no HTTP timing can make it happen on purpose.
      const [early, late] = [newId(), newId()].sort().reverse() as [string, string];
      await stack.groupsDb.query(
        `INSERT INTO memberships (group_id, user_id, role, joined_at)
         VALUES ($1, $2, 'member', '2099-01-01T00:00:00.123456Z'), ($1, $3, 'member', '2099-01-01T00:00:00.123789Z')`,
        [id, early, late],
      );
      await cachedMembers.invalidate(stack.adapters.cache, [id]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `limit=1&cursor=${encodeURIComponent(cursor)}` : 'limit=1';
        const page = await api('GET', `/api/v1/groups/${id}/members?${query}`, { token: alice.token });
        seen.push(...page.body.items.map((m: any) => m.userId));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(4);
      expect([...seen].sort()).toEqual([alice.id, bob.id, early, late].sort());
    });

    it('with a malformed id, it answers 400; an unknown one, 404; bad paging, 400', async () => {
      const id = await newGroup();
      expectFieldErrors(await api('GET', '/api/v1/groups/1/members', { token: alice.token }), ['params.id']);
      expectProblem(await api('GET', `/api/v1/groups/${newId()}/members`, { token: alice.token }), 404);
      expectFieldErrors(await api('GET', `/api/v1/groups/${id}/members?limit=0`, { token: alice.token }), ['querystring.limit']);
      expectFieldErrors(await api('GET', `/api/v1/groups/${id}/members?limit=500`, { token: alice.token }), ['querystring.limit']);
      expectFieldErrors(await api('GET', `/api/v1/groups/${id}/members?cursor=%%%`, { token: alice.token }), ['querystring.cursor']);
      const forged = Buffer.from(JSON.stringify(['0000-01-01', 'x'])).toString('base64url');
      expectFieldErrors(await api('GET', `/api/v1/groups/${id}/members?cursor=${forged}`, { token: alice.token }), ['querystring.cursor']);
    });
  });

  describe('POST /api/v1/groups/:id/members', () => {
    it('adds users and answers the memberships it created', async () => {
      const id = await newGroup();
      const res = await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body: { userIds: [carol.id, dave.id] } });
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: any) => [m.userId, m.role]).sort()).toEqual(
        [
          [carol.id, 'member'],
          [dave.id, 'member'],
        ].sort(),
      );
      const group = await api('GET', `/api/v1/groups/${id}`, { token: dave.token });
      expect(group.body).toMatchObject({ memberCount: 4, myRole: 'member' });
    });

    it('with users who already belong (and repeats), they are ignored', async () => {
      const id = await newGroup();
      const res = await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body: { userIds: [alice.id, bob.id, carol.id, carol.id] } });
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: any) => m.userId)).toEqual([carol.id]);
      const again = await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body: { userIds: [bob.id, carol.id] } });
      expect(again.status).toBe(200);
      expect(again.body.items).toEqual([]);
      const members = await api('GET', `/api/v1/groups/${id}/members`, { token: alice.token });
      expect(members.body.items.map((m: any) => [m.userId, m.role]).sort()).toEqual(
        [
          [alice.id, 'owner'],
          [bob.id, 'member'],
          [carol.id, 'member'],
        ].sort(),
      );
    });

    it('with users that do not exist, it answers 400 naming them and adds nobody', async () => {
      const id = await newGroup();
      const ghost = newId();
      const res = await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body: { userIds: [carol.id, ghost], extra: 1 } });
      expectFieldErrors(res, ['body.userIds']);
      expect(res.body.errors['body.userIds'][0]).toContain(ghost);
      expect(res.body.errors['body.userIds'][0]).not.toContain(carol.id);
      const group = await api('GET', `/api/v1/groups/${id}`, { token: alice.token });
      expect(group.body.memberCount).toBe(2);
    });

    const bad: [string, unknown, string[]][] = [
      ['an empty body', {}, ['body.userIds']],
      ['an empty list', { userIds: [] }, ['body.userIds']],
      ['a string as userIds', { userIds: 'abc' }, ['body.userIds']],
      ['null as userIds', { userIds: null }, ['body.userIds']],
      ['a malformed id', { userIds: ['abc'] }, ['body.userIds.0']],
      ['a number among the ids', { userIds: [newId(), 12] }, ['body.userIds.1']],
      ['a nested array', { userIds: [[newId()]] }, ['body.userIds.0']],
      ['1001 ids', { userIds: Array.from({ length: 1001 }, () => newId()) }, ['body.userIds']],
      ['a JSON array as the body', [newId()], ['body']],
    ];
    it.each(bad)('with %s, it answers 400 naming the field', async (_what, body, fields) => {
      const id = await newGroup();
      expectFieldErrors(await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, body }), fields);
    });

    it('with malformed JSON, 400; a malformed group id, 400; an unknown group, 404', async () => {
      const id = await newGroup();
      expectProblem(await api('POST', `/api/v1/groups/${id}/members`, { token: alice.token, raw: '[', headers: { 'content-type': 'application/json' } }), 400);
      expectFieldErrors(await api('POST', '/api/v1/groups/abc/members', { token: alice.token, body: { userIds: [carol.id] } }), ['params.id']);
      expectProblem(await api('POST', `/api/v1/groups/${newId()}/members`, { token: alice.token, body: { userIds: [carol.id] } }), 404);
    });
  });

  describe('DELETE /api/v1/groups/:id/members/:userId', () => {
    it('removes a member (204) and lets a member leave (204)', async () => {
      const id = await newGroup({ memberIds: [bob.id, carol.id] });
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${bob.id}`, { token: alice.token })).status).toBe(204);
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${carol.id}`, { token: carol.token })).status).toBe(204);
      const members = await api('GET', `/api/v1/groups/${id}/members`, { token: alice.token });
      expect(members.body.items.map((m: any) => m.userId)).toEqual([alice.id]);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: alice.token })).body.memberCount).toBe(1);
    });

    it('with malformed ids, 400 for each; an unknown group, 404; a user who is not a member, 404', async () => {
      const id = await newGroup();
      expectFieldErrors(await api('DELETE', `/api/v1/groups/x/members/${bob.id}`, { token: alice.token }), ['params.id']);
      expectFieldErrors(await api('DELETE', `/api/v1/groups/${id}/members/y`, { token: alice.token }), ['params.userId']);
      expectFieldErrors(await api('DELETE', '/api/v1/groups/x/members/y', { token: alice.token }), ['params.id', 'params.userId']);
      expectProblem(await api('DELETE', `/api/v1/groups/${newId()}/members/${bob.id}`, { token: alice.token }), 404);
      expectProblem(await api('DELETE', `/api/v1/groups/${id}/members/${carol.id}`, { token: alice.token }), 404);
      expectProblem(await api('DELETE', `/api/v1/groups/${id}/members/${newId()}`, { token: alice.token }), 404);
    });
  });

  describe('PATCH /api/v1/groups/:id/members/:userId', () => {
    it('promotes a member to admin and back, answering the membership', async () => {
      const id = await newGroup();
      const promoted = await api('PATCH', `/api/v1/groups/${id}/members/${bob.id}`, { token: alice.token, body: { role: 'admin', extra: true } });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toEqual({ userId: bob.id, role: 'admin', joinedAt: expect.any(String) });
      expect((await api('GET', `/api/v1/groups/${id}`, { token: bob.token })).body.myRole).toBe('admin');
      const demoted = await api('PATCH', `/api/v1/groups/${id}/members/${bob.id}`, { token: alice.token, body: { role: 'member' } });
      expect(demoted.body.role).toBe('member');
      const same = await api('PATCH', `/api/v1/groups/${id}/members/${bob.id}`, { token: alice.token, body: { role: 'member' } });
      expect(same.status).toBe(200);
      expect(same.body.role).toBe('member');
    });

    const bad: [string, unknown, string[]][] = [
      ['an empty body', {}, ['body.role']],
      ['an unknown role', { role: 'king' }, ['body.role']],
      ['a role in upper case', { role: 'ADMIN' }, ['body.role']],
      ['a number as role', { role: 1 }, ['body.role']],
      ['an array as role', { role: ['admin'] }, ['body.role']],
      ['a JSON string as the body', 'admin', ['body']],
    ];
    it.each(bad)('with %s, it answers 400 naming the field', async (_what, body, fields) => {
      const id = await newGroup();
      expectFieldErrors(await api('PATCH', `/api/v1/groups/${id}/members/${bob.id}`, { token: alice.token, body }), fields);
    });

    it('with malformed JSON or ids, 400; an unknown group or member, 404', async () => {
      const id = await newGroup();
      expectProblem(
        await api('PATCH', `/api/v1/groups/${id}/members/${bob.id}`, { token: alice.token, raw: '{"role":', headers: { 'content-type': 'application/json' } }),
        400,
      );
      expectFieldErrors(await api('PATCH', `/api/v1/groups/${id}/members/bob`, { token: alice.token, body: { role: 'admin' } }), ['params.userId']);
      expectFieldErrors(await api('PATCH', `/api/v1/groups/g/members/${bob.id}`, { token: alice.token, body: { role: 'admin' } }), ['params.id']);
      expectProblem(await api('PATCH', `/api/v1/groups/${newId()}/members/${bob.id}`, { token: alice.token, body: { role: 'admin' } }), 404);
      expectProblem(await api('PATCH', `/api/v1/groups/${id}/members/${carol.id}`, { token: alice.token, body: { role: 'admin' } }), 404);
    });
  });

  describe('the OpenAPI document', () => {
    it('describes every groups route and states the ownership rule on the member routes', async () => {
      const res = await api('GET', '/openapi.json');
      expect(res.status).toBe(200);
      const paths = res.body.paths;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining(['/api/v1/groups', '/api/v1/groups/{id}', '/api/v1/groups/{id}/members', '/api/v1/groups/{id}/members/{userId}']),
      );
      const memberRoute = paths['/api/v1/groups/{id}/members/{userId}'];
      expect(memberRoute.delete.summary).toMatch(/owner cannot leave/i);
      expect(memberRoute.patch.summary).toMatch(/"owner" hands ownership over/);
      expect(memberRoute.patch.description).toMatch(/exactly one owner/);
    });
  });
});
