import { accountsV1 } from '@parley/contracts';
import { AppError, createGrpcClient, newId, unary } from '@parley/kit';
import { adapterKinds, apiFor, registerUser, type Api, type Registered } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxEventsOf, publishPresence, startAccounts, type AccountsHarness } from './harness.ts';

describe.each(adapterKinds())('accounts gRPC accounts.v1.Users (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;
  let client: accountsV1.UsersClient;
  let alice: Registered;
  let bob: Registered;

  beforeAll(async () => {
    h = await startAccounts(kind, { AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
    client = createGrpcClient(accountsV1.UsersClient, h.grpcAddress);
    alice = await registerUser(api);
    bob = await registerUser(api);
  });
  afterAll(async () => {
    client?.close();
    await h?.stop();
  });

  const getUsers = (ids: string[]) => unary(client, 'getUsers', { ids }, { deadlineMs: 5000 });

  describe('GetUsers', () => {
    it('answers the public profiles of known ids, as GET /users/:id shows them', async () => {
      const { users } = await getUsers([alice.user.id, bob.user.id]);
      expect(users.map((u) => u.id).sort()).toEqual([alice.user.id, bob.user.id].sort());
      const viaHttp = (await api('GET', `/api/v1/users/${alice.user.id}`, { token: bob.accessToken })).body;
      const viaGrpc = users.find((u) => u.id === alice.user.id);
      expect(viaGrpc).toEqual({
        id: viaHttp.id,
        username: viaHttp.username,
        displayName: viaHttp.displayName,
        bio: viaHttp.bio,
        status: viaHttp.status,
        // The status alice chose, for notifications' presence only; others see `status`.
        chosenStatus: 'online',
        ...(viaHttp.avatarUrl ? { avatarUrl: viaHttp.avatarUrl } : {}),
        ...(viaHttp.lastSeenAt ? { lastSeenAt: viaHttp.lastSeenAt } : {}),
      });
      expect(JSON.stringify(users)).not.toContain(alice.input.email);
    });

    it('skips unknown and malformed ids, and answers duplicates once', async () => {
      const { users } = await getUsers([newId(), 'not-a-uuid', '', `${alice.user.id}'; DROP TABLE users; --`, alice.user.id, alice.user.id]);
      expect(users.map((u) => u.id)).toEqual([alice.user.id]);
    });

    it('an empty id list answers no users', async () => {
      expect((await getUsers([])).users).toEqual([]);
    });

    it('a profile change shows in the next answer', async () => {
      const carol = await registerUser(api);
      await getUsers([carol.user.id]);
      await api('PATCH', '/api/v1/users/me', { token: carol.accessToken, body: { displayName: 'Carol via gRPC' } });
      expect((await getUsers([carol.user.id])).users[0]?.displayName).toBe('Carol via gRPC');
    });

    it('an invisible user shows as offline, as over HTTP; chosenStatus says invisible, for presence', async () => {
      const dave = await registerUser(api);
      await api('PUT', '/api/v1/users/me/status', { token: dave.accessToken, body: { status: 'invisible' } });
      const [user] = (await getUsers([dave.user.id])).users;
      expect(user?.status).toBe('offline');
      expect(user?.chosenStatus).toBe('invisible');
      expect(user?.lastSeenAt).toBeUndefined();
    });

    it('status is the presence others see (offline until connected); chosenStatus the choice', async () => {
      const erin = await registerUser(api);
      await api('PUT', '/api/v1/users/me/status', { token: erin.accessToken, body: { status: 'dnd' } });
      expect((await getUsers([erin.user.id])).users[0]).toMatchObject({ status: 'offline', chosenStatus: 'dnd' });
      await publishPresence(h, erin.user.id, 'dnd');
      expect((await getUsers([erin.user.id])).users[0]).toMatchObject({ status: 'dnd', chosenStatus: 'dnd' });
    });

    it('500 ids are answered; 501 are refused with INVALID_ARGUMENT, which the caller sees as a 400 AppError', async () => {
      const ids = Array.from({ length: 499 }, () => newId());
      expect((await getUsers([...ids, alice.user.id])).users.map((u) => u.id)).toEqual([alice.user.id]);

      const error: unknown = await getUsers([...ids, alice.user.id, bob.user.id]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ httpStatus: 400, code: 'bad_request' });
    });
  });

  describe('CheckSession', () => {
    const checkSession = (sessionId: string, userId: string) => unary(client, 'checkSession', { sessionId, userId }, { deadlineMs: 5000 });

    it('a live session of that user is live; of another user, unknown, or malformed, it is not', async () => {
      expect(await checkSession(alice.sessionId, alice.user.id)).toEqual({ live: true });
      expect(await checkSession(alice.sessionId, bob.user.id)).toEqual({ live: false });
      expect(await checkSession(newId(), alice.user.id)).toEqual({ live: false });
      expect(await checkSession('not-a-session', alice.user.id)).toEqual({ live: false });
    });

    it('a session that was logged out is not live', async () => {
      const erin = await registerUser(api);
      await api('POST', '/api/v1/auth/logout', { token: erin.accessToken });
      expect(await checkSession(erin.sessionId, erin.user.id)).toEqual({ live: false });
    });
  });

  describe('ListContactOf', () => {
    const listContactOf = (userId: string, limit = 0) => unary(client, 'listContactOf', { userId, limit }, { deadlineMs: 5000 });

    it('answers who has the user as a contact, follows adds and removes at once, and says when a limit cut the list', async () => {
      const [target, watcher1, watcher2, other] = await Promise.all([registerUser(api), registerUser(api), registerUser(api), registerUser(api)]);
      expect(await listContactOf(target.user.id)).toEqual({ userIds: [], truncated: false });

      expect((await api('PUT', `/api/v1/contacts/${target.user.id}`, { token: watcher1.accessToken })).status).toBe(200);
      expect((await api('PUT', `/api/v1/contacts/${target.user.id}`, { token: watcher2.accessToken })).status).toBe(200);
      // The other direction does not count: target watching `other` does not make `other` a watcher of target.
      expect((await api('PUT', `/api/v1/contacts/${other.user.id}`, { token: target.accessToken })).status).toBe(200);
      expect(await listContactOf(target.user.id)).toEqual({ userIds: [watcher1.user.id, watcher2.user.id], truncated: false });
      expect(await listContactOf(target.user.id, 1)).toEqual({ userIds: [watcher1.user.id], truncated: true });

      expect((await api('DELETE', `/api/v1/contacts/${target.user.id}`, { token: watcher1.accessToken })).status).toBe(204);
      expect(await listContactOf(target.user.id)).toEqual({ userIds: [watcher2.user.id], truncated: false });
      expect(await listContactOf('not-a-uuid')).toEqual({ userIds: [], truncated: false });
    });

    it('adding and removing a contact write contact.added / contact.removed to the outbox (adding twice: one event)', async () => {
      const [owner, contact] = await Promise.all([registerUser(api), registerUser(api)]);
      await api('PUT', `/api/v1/contacts/${contact.user.id}`, { token: owner.accessToken });
      await api('PUT', `/api/v1/contacts/${contact.user.id}`, { token: owner.accessToken });
      await api('DELETE', `/api/v1/contacts/${contact.user.id}`, { token: owner.accessToken });
      const events = (await outboxEventsOf(h, owner.user.id)).filter((e) => e.type.startsWith('contact.'));
      expect(events).toEqual([
        { type: 'contact.added', data: { userId: owner.user.id, contactId: contact.user.id } },
        { type: 'contact.removed', data: { userId: owner.user.id, contactId: contact.user.id } },
      ]);
    });
  });
});
