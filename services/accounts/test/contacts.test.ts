import { newId } from '@parley/kit';
import { adapterKinds, apiFor, expectFieldErrors, expectProblem, registerUser, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPresence, startAccounts, type AccountsHarness } from './harness.ts';

const PUBLIC_FIELDS = ['avatarUrl', 'bio', 'displayName', 'id', 'lastSeenAt', 'status', 'statusText', 'username'];

describe.each(adapterKinds())('accounts contacts (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;

  beforeAll(async () => {
    h = await startAccounts(kind, { AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const contactsOf = async (token: string) => {
    const res = await api('GET', '/api/v1/contacts', { token });
    expect(res.status).toBe(200);
    return res.body.items as { id: string; username: string; displayName: string; status: string }[];
  };

  it('a new user has no contacts', async () => {
    const alice = await registerUser(api);
    expect(await contactsOf(alice.accessToken)).toEqual([]);
  });

  it('PUT adds a contact and answers its public profile; the list shows public profiles, oldest added first', async () => {
    const alice = await registerUser(api);
    const bob = await registerUser(api);
    const carol = await registerUser(api);
    const added = await api('PUT', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ id: bob.user.id, username: bob.input.username, displayName: bob.input.displayName });
    expect(Object.keys(added.body).sort()).toEqual(PUBLIC_FIELDS);
    await api('PUT', `/api/v1/contacts/${carol.user.id}`, { token: alice.accessToken });

    const list = await contactsOf(alice.accessToken);
    expect(list.map((c) => c.id)).toEqual([bob.user.id, carol.user.id]);
    for (const contact of list) expect(Object.keys(contact).sort()).toEqual(PUBLIC_FIELDS);
    expect(JSON.stringify(list)).not.toContain(bob.input.email);
  });

  it('adding the same contact twice is harmless: 200 both times, listed once', async () => {
    const alice = await registerUser(api);
    const bob = await registerUser(api);
    expect((await api('PUT', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken })).status).toBe(200);
    expect((await api('PUT', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken })).status).toBe(200);
    expect((await contactsOf(alice.accessToken)).map((c) => c.id)).toEqual([bob.user.id]);
  });

  it('contacts are one-way and per user: my contact does not get me as theirs', async () => {
    const alice = await registerUser(api);
    const bob = await registerUser(api);
    await api('PUT', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken });
    expect(await contactsOf(bob.accessToken)).toEqual([]);
  });

  it('DELETE removes a contact (204); removing it again answers 404', async () => {
    const alice = await registerUser(api);
    const bob = await registerUser(api);
    await api('PUT', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken });
    expect(await contactsOf(alice.accessToken)).toHaveLength(1);
    expect((await api('DELETE', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken })).status).toBe(204);
    expect(await contactsOf(alice.accessToken)).toEqual([]);
    expectProblem(await api('DELETE', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken }), 404);
  });

  it("a contact's profile and status changes show in my list on the next read", async () => {
    const alice = await registerUser(api);
    const bob = await registerUser(api);
    await api('PUT', `/api/v1/contacts/${bob.user.id}`, { token: alice.accessToken });
    await publishPresence(h, bob.user.id, 'online');
    expect((await contactsOf(alice.accessToken))[0]).toMatchObject({ displayName: bob.input.displayName, status: 'online' });

    expect((await api('PATCH', '/api/v1/users/me', { token: bob.accessToken, body: { displayName: 'Robert' } })).status).toBe(200);
    expect((await contactsOf(alice.accessToken))[0]).toMatchObject({ displayName: 'Robert' });
    expect((await api('PUT', '/api/v1/users/me/status', { token: bob.accessToken, body: { status: 'invisible' } })).status).toBe(200);
    expect((await contactsOf(alice.accessToken))[0]).toMatchObject({ displayName: 'Robert', status: 'offline', lastSeenAt: null });
  });

  it('adding an unknown user answers 404, adding myself 400; neither lands in the list', async () => {
    const alice = await registerUser(api);
    expectProblem(await api('PUT', `/api/v1/contacts/${newId()}`, { token: alice.accessToken }), 404);
    expectFieldErrors(await api('PUT', `/api/v1/contacts/${alice.user.id}`, { token: alice.accessToken }), ['params.userId']);
    expectProblem(await api('DELETE', `/api/v1/contacts/${newId()}`, { token: alice.accessToken }), 404);
    expect(await contactsOf(alice.accessToken)).toEqual([]);
  });

  it.each(['PUT', 'DELETE'])('%s with a malformed user id answers 400 naming it', async (method) => {
    const alice = await registerUser(api);
    expectFieldErrors(await api(method, '/api/v1/contacts/not-a-user', { token: alice.accessToken }), ['params.userId']);
    expectFieldErrors(await api(method, `/api/v1/contacts/${newId().toUpperCase()}x`, { token: alice.accessToken }), ['params.userId']);
  });

  it.each([
    ['GET', '/api/v1/contacts'],
    ['PUT', `/api/v1/contacts/${newId()}`],
    ['DELETE', `/api/v1/contacts/${newId()}`],
  ])('without a token, %s %s answers 401', async (method, path) => {
    expectProblem(await api(method, path), 401);
  });
});
