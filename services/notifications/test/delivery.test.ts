import { adapterKinds, apiFor, currentEntry } from '@parley/kit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, openDirect, send, startNotificationsStack, type NotificationsStack, type StackUser } from './harness.ts';
import { watcherLists } from '../src/domain/watchers.ts';
import { STARTUP_MS, Sockets, WAIT, type TestSocket } from './ws-client.ts';

const about = (messageId: string) => (data: any) => data.message?.id === messageId || data.messageId === messageId;

describe.each(adapterKinds())('real-time delivery (%s)', (kind) => {
  let stack: NotificationsStack;
  let ws: string;
  const sockets = new Sockets();

  beforeAll(async () => {
    stack = await startNotificationsStack(kind);
    ws = stack.notifications.wsUrl;
  }, STARTUP_MS);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await stack?.stop();
  });

  const users = (n: number): Promise<StackUser[]> => Promise.all(Array.from({ length: n }, () => stack.register()));

  /** Sends `user` a direct message from `from` and waits for it on `socket`: everything published before has had its chance. */
  const sentinel = async (from: StackUser, user: StackUser, socket: TestSocket): Promise<void> => {
    const message = await send(stack, from, await openDirect(stack, from, user), 'sentinel');
    await socket.waitFor('message.created', about(message.id));
  };

  it('a group message reaches every device of every member once, never outsiders or removed members', async () => {
    const [owner, member, removed, outsider] = await users(4);
    const groupId = await createGroup(stack, owner!, [member!, removed!]);
    const [laptop, phone, memberSocket, removedSocket, outsiderSocket] = await Promise.all([
      sockets.as(ws, owner!.token),
      sockets.as(ws, owner!.token),
      sockets.as(ws, member!.token),
      sockets.as(ws, removed!.token),
      sockets.as(ws, outsider!.token),
    ]);
    const removal = await stack.groupsApi('DELETE', `/api/v1/groups/${groupId}/members/${removed!.id}`, { token: owner!.token });
    expect(removal.status).toBe(204);
    // The removed member is told of the removal, and of nothing in the group after it.
    await removedSocket.waitFor('group.member_removed', (d) => d.groupId === groupId && d.userId === removed!.id);

    const message = await send(stack, member!, groupId, 'hello group');
    const later = await send(stack, owner!, groupId, 'and again');
    for (const socket of [laptop, phone, memberSocket]) {
      const frame = await socket.waitFor('message.created', about(message.id));
      expect(frame.data.message).toMatchObject({ id: message.id, conversationId: groupId, body: 'hello group', senderId: member!.id });
      expect(frame.data.recipients).toBeUndefined();
      await socket.waitFor('message.created', about(later.id));
      expect(socket.of('message.created', about(message.id))).toHaveLength(1);
    }
    await sentinel(owner!, removed!, removedSocket);
    await sentinel(owner!, outsider!, outsiderSocket);
    for (const socket of [removedSocket, outsiderSocket]) {
      expect(socket.of('message.created', (d) => d.message.conversationId === groupId)).toEqual([]);
    }
  });

  it('a direct conversation relays creation, messages, edits, reactions, reads and deletions to both members', async () => {
    const [alice, bob, eve] = await users(3);
    const [a1, a2, b, e] = await Promise.all([sockets.as(ws, alice!.token), sockets.as(ws, alice!.token), sockets.as(ws, bob!.token), sockets.as(ws, eve!.token)]);
    const conversationId = await openDirect(stack, alice!, bob!);
    for (const socket of [a1, a2, b]) {
      const created = await socket.waitFor('conversation.created', (d) => d.conversation.id === conversationId);
      expect(created.data.conversation.type).toBe('direct');
    }
    const message = await send(stack, alice!, conversationId, 'hi bob');
    expect((await stack.api('PATCH', `/api/v1/messages/${message.id}`, { token: alice!.token, body: { body: 'hi Bob' } })).status).toBe(200);
    expect((await stack.api('PUT', `/api/v1/messages/${message.id}/reactions/${encodeURIComponent('👍')}`, { token: bob!.token })).status).toBe(204);
    expect((await stack.api('POST', `/api/v1/conversations/${conversationId}/read`, { token: bob!.token, body: { seq: message.seq } })).status).toBe(204);
    expect((await stack.api('DELETE', `/api/v1/messages/${message.id}`, { token: alice!.token })).status).toBe(204);
    for (const socket of [a1, a2, b]) {
      await socket.waitFor('message.created', about(message.id));
      expect((await socket.waitFor('message.updated', about(message.id))).data.message.body).toBe('hi Bob');
      expect((await socket.waitFor('reaction.updated', about(message.id))).data).toMatchObject({ emoji: '👍', action: 'added', userId: bob!.id });
      expect((await socket.waitFor('read.updated', (d) => d.conversationId === conversationId)).data).toMatchObject({ userId: bob!.id, seq: message.seq });
      await socket.waitFor('message.deleted', about(message.id));
    }
    await sentinel(alice!, eve!, e);
    expect(e.frames.filter((f) => JSON.stringify(f).includes(conversationId))).toEqual([]);
  });

  it('group changes reach the members and the member concerned', async () => {
    const [owner, member, joiner] = await users(3);
    const groupId = await createGroup(stack, owner!, [member!]);
    const [o, m, j] = await Promise.all([sockets.as(ws, owner!.token), sockets.as(ws, member!.token), sockets.as(ws, joiner!.token)]);

    expect((await stack.groupsApi('POST', `/api/v1/groups/${groupId}/members`, { token: owner!.token, body: { userIds: [joiner!.id] } })).status).toBeLessThan(300);
    for (const socket of [o, m, j]) await socket.waitFor('group.member_added', (d) => d.groupId === groupId && d.userId === joiner!.id);

    // The newcomer hears the group's messages from now on.
    const welcome = await send(stack, owner!, groupId, 'welcome');
    await j.waitFor('message.created', about(welcome.id));

    expect((await stack.groupsApi('PATCH', `/api/v1/groups/${groupId}`, { token: owner!.token, body: { name: 'Renamed' } })).status).toBe(200);
    for (const socket of [o, m, j]) expect((await socket.waitFor('group.updated', (d) => d.groupId === groupId)).data.changes).toEqual({ name: 'Renamed' });

    expect((await stack.groupsApi('PATCH', `/api/v1/groups/${groupId}/members/${member!.id}`, { token: owner!.token, body: { role: 'admin' } })).status).toBe(200);
    for (const socket of [o, m, j]) await socket.waitFor('group.member_role_changed', (d) => d.groupId === groupId && d.role === 'admin');

    expect((await stack.groupsApi('DELETE', `/api/v1/groups/${groupId}`, { token: owner!.token })).status).toBe(204);
    for (const socket of [o, m, j]) await socket.waitFor('group.deleted', (d) => d.groupId === groupId);
  });

  it('announces presence to people sharing a conversation who are online, and offline after the grace period', async () => {
    const [alice, bob, stranger] = await users(3);
    const [a, s] = await Promise.all([sockets.as(ws, alice!.token), sockets.as(ws, stranger!.token)]);
    const conversationId = await openDirect(stack, alice!, bob!);
    await a.waitFor('conversation.created', (d) => d.conversation.id === conversationId);
    const b = await sockets.as(ws, bob!.token);
    expect((await a.waitFor('presence', (d) => d.userId === bob!.id)).data).toEqual({ userId: bob!.id, status: 'online' });

    // The stranger's connection is recorded moments after its `ready` (nobody is told: no shared conversation).
    await vi.waitFor(async () => {
      const now = await stack.notifications.api('GET', `/api/v1/presence?userIds=${bob!.id},${stranger!.id}`, { token: alice!.token });
      expect(now.status).toBe(200);
      expect(now.body.items).toEqual([
        { userId: bob!.id, status: 'online' },
        { userId: stranger!.id, status: 'online' },
      ]);
    }, WAIT);

    b.close();
    await b.waitClosed();
    expect((await a.waitFor('presence', (d) => d.userId === bob!.id && d.status === 'offline')).data).toEqual({ userId: bob!.id, status: 'offline' });
    expect(s.of('presence', (d) => d.userId === bob!.id)).toEqual([]);
    const after = await stack.notifications.api('GET', `/api/v1/presence?userIds=${bob!.id}`, { token: alice!.token });
    expect(after.body.items).toEqual([{ userId: bob!.id, status: 'offline' }]);
  });

  it('announces presence to users who have the user as a contact though they share no conversation; not to others', async () => {
    const [alice, bob, stranger, carol] = await users(4);
    const accounts = apiFor(stack.accountsUrl);
    // alice watches bob (one-way): bob having alice as a contact would not make bob a watcher.
    expect((await accounts('PUT', `/api/v1/contacts/${bob!.id}`, { token: alice!.token })).status).toBe(200);
    expect((await accounts('PUT', `/api/v1/contacts/${stranger!.id}`, { token: bob!.token })).status).toBe(200);
    const [a, s] = await Promise.all([sockets.as(ws, alice!.token), sockets.as(ws, stranger!.token)]);
    // Wait until notifications has taken in the contact.added events (each tells alice nothing yet: bob is offline).
    const c = await sockets.as(ws, carol!.token);
    expect((await accounts('PUT', `/api/v1/contacts/${carol!.id}`, { token: alice!.token })).status).toBe(200);
    // A new contact who is online is announced to the new watcher at once.
    expect((await a.waitFor('presence', (d) => d.userId === carol!.id)).data).toEqual({ userId: carol!.id, status: 'online' });

    const b = await sockets.as(ws, bob!.token);
    expect((await a.waitFor('presence', (d) => d.userId === bob!.id)).data).toEqual({ userId: bob!.id, status: 'online' });
    b.close();
    await b.waitClosed();
    expect((await a.waitFor('presence', (d) => d.userId === bob!.id && d.status === 'offline')).data).toEqual({ userId: bob!.id, status: 'offline' });
    expect(s.of('presence', (d) => d.userId === bob!.id)).toEqual([]);
    expect(c.of('presence', (d) => d.userId === bob!.id)).toEqual([]);
    expect(s.of('presence', (d) => d.userId === carol!.id)).toEqual([]);

    // After alice removes bob, bob's presence no longer reaches her (once contact.removed has
    // dropped the cached list of bob's watchers, which his announcements filled).
    expect((await accounts('DELETE', `/api/v1/contacts/${bob!.id}`, { token: alice!.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await currentEntry(stack.adapters.cache, watcherLists, bob!.id)).toBeUndefined(), { timeout: 5000 });
    // carol starts watching bob: her hearing bob come back shows the announcement went out.
    expect((await accounts('PUT', `/api/v1/contacts/${bob!.id}`, { token: carol!.token })).status).toBe(200);
    await vi.waitFor(async () => expect(await currentEntry(stack.adapters.cache, watcherLists, bob!.id)).toBeUndefined(), { timeout: 5000 });
    const again = await sockets.as(ws, bob!.token);
    await c.waitFor('presence', (d) => d.userId === bob!.id && d.status === 'online');
    await sentinel(stranger!, alice!, a);
    expect(a.of('presence', (d) => d.userId === bob!.id)).toHaveLength(2);
    again.close();
  });
});
