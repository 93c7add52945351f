import { createLogger, newId } from '@parley/kit';
import { adapterKinds, expectFieldErrors, expectProblem, type Api } from '@parley/kit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, openDirect, send, startNotificationsStack, type NotificationsStack, type StackUser } from './harness.ts';
import { STARTUP_MS, Sockets, waitUntil } from './ws-client.ts';
import type { NotificationsConfig } from '../src/config.ts';
import { pruneNotifications } from '../src/domain/prune-notifications.ts';

describe.each(adapterKinds())('stored notifications (%s)', (kind) => {
  let stack: NotificationsStack;
  let api: Api;
  const sockets = new Sockets();

  beforeAll(async () => {
    stack = await startNotificationsStack(kind);
    api = stack.notifications.api;
  }, STARTUP_MS);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await stack?.stop();
  });

  const users = (n: number): Promise<StackUser[]> => Promise.all(Array.from({ length: n }, () => stack.register()));
  const list = async (user: StackUser, query = ''): Promise<any> => {
    const res = await api('GET', `/api/v1/notifications${query}`, { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  /** Waits until the store consumer has handled the message's message.created (its inbox mark). */
  const handled = async (messageId: string): Promise<void> => {
    await waitUntil(async () => {
      const event = stack.recorder.of('message.created', (d) => d.message.id === messageId)[0];
      if (!event) return false;
      const { rows } = await stack.notificationsDb.query(`SELECT 1 FROM processed_events WHERE queue = 'notifications.store' AND event_id = $1`, [event.id]);
      return rows.length === 1;
    });
  };
  /** Waits until the user has at least `count` notifications and returns them. */
  const notificationsOf = async (user: StackUser, count: number): Promise<any[]> => {
    let items: any[] = [];
    await waitUntil(async () => {
      items = (await list(user)).items;
      return items.length >= count;
    });
    return items;
  };

  it('a direct message notifies the other member (not the author), stored and as a frame', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    const b = await sockets.as(stack.notifications.wsUrl, bob!.token);
    const message = await send(stack, alice!, conversationId, 'lunch at noon?');

    const frame = await b.waitFor('notification', (d) => d.messageId === message.id);
    expect(frame.data).toMatchObject({ kind: 'direct_message', conversationId, actorId: alice!.id, preview: 'lunch at noon?', readAt: null });
    const [stored] = await notificationsOf(bob!, 1);
    expect(stored).toEqual(frame.data);
    expect((await list(alice!)).items).toEqual([]);
  });

  it('a mention in a group notifies the mentioned member only; plain group messages notify nobody', async () => {
    const [owner, mentioned, other] = await users(3);
    const groupId = await createGroup(stack, owner!, [mentioned!, other!]);
    const plain = await send(stack, owner!, groupId, 'no mention here');
    const message = await send(stack, owner!, groupId, `hey @${mentioned!.username}, look`);
    // A plain group message has nothing to store: the consumer writes nothing for it, not even an
    // inbox mark to wait for. The mention, sent after it on the same queue, is awaited instead.
    expect(plain.seq).toBeLessThan(message.seq);
    await handled(message.id);
    const notGroupAdded = (items: any[]) => items.filter((n) => n.kind !== 'group_added');
    expect(notGroupAdded((await list(mentioned!)).items)).toEqual([
      expect.objectContaining({ kind: 'mention', conversationId: groupId, messageId: message.id, actorId: owner!.id }),
    ]);
    expect(notGroupAdded((await list(other!)).items)).toEqual([]);
    expect(notGroupAdded((await list(owner!)).items)).toEqual([]);
  });

  it('being added to a group notifies the added user, not the one who added them', async () => {
    const [owner, first, later] = await users(3);
    const groupId = await createGroup(stack, owner!, [first!]);
    expect((await stack.groupsApi('POST', `/api/v1/groups/${groupId}/members`, { token: owner!.token, body: { userIds: [later!.id] } })).status).toBeLessThan(300);
    for (const user of [first!, later!]) {
      const [item] = await notificationsOf(user, 1);
      expect(item).toMatchObject({ kind: 'group_added', groupId, conversationId: groupId, actorId: owner!.id });
    }
    expect((await list(owner!)).items).toEqual([]);
  });

  const settingsPath = (conversationId: string): string => `/api/v1/notifications/settings/conversations/${conversationId}`;
  /** Mutes (or unmutes) once this service has heard of the conversation (a just-opened direct one answers 404 until then). */
  const setMuted = async (user: StackUser, conversationId: string, muted: boolean): Promise<any> => {
    let res: any;
    await waitUntil(async () => {
      res = await api('PUT', settingsPath(conversationId), { token: user.token, body: { muted } });
      return res.status !== 404;
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('a muted conversation produces no notifications until it is unmuted', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    expect(await setMuted(bob!, conversationId, true)).toEqual({ conversationId, muted: true });
    expect((await api('GET', settingsPath(conversationId), { token: bob!.token })).body).toEqual({ conversationId, muted: true });
    const whileMuted = await send(stack, alice!, conversationId, 'while muted');
    await handled(whileMuted.id);
    expect((await setMuted(bob!, conversationId, false)).muted).toBe(false);
    const after = await send(stack, alice!, conversationId, 'after unmuting');
    const items = await notificationsOf(bob!, 1);
    expect(items.map((n) => n.messageId)).toEqual([after.id]);
  });

  it("muting is the caller's own setting: it changes nothing for the other member; bad input answers 400", async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    await setMuted(alice!, conversationId, true);
    expect((await api('GET', settingsPath(conversationId), { token: bob!.token })).body).toEqual({ conversationId, muted: false });
    const message = await send(stack, alice!, conversationId, 'still notified');
    const [item] = await notificationsOf(bob!, 1);
    expect(item.messageId).toBe(message.id);
    expectFieldErrors(await api('PUT', settingsPath(conversationId), { token: bob!.token, body: { muted: 'yes' } }), ['body.muted']);
    expectFieldErrors(await api('PUT', settingsPath('nope'), { token: bob!.token, body: { muted: true } }), ['params.id']);
    expectProblem(await api('PUT', settingsPath(conversationId), { body: { muted: true } }), 401);
  });

  it('settings of a conversation the caller is not in answer 404, as an unknown one, and change nothing', async () => {
    const [alice, bob, stranger] = await users(3);
    const direct = await openDirect(stack, alice!, bob!);
    await setMuted(bob!, direct, false);
    const groupId = await createGroup(stack, alice!, [bob!]);
    await setMuted(bob!, groupId, false);
    for (const id of [direct, groupId, newId()]) {
      expectProblem(await api('GET', settingsPath(id), { token: stranger!.token }), 404);
      expectProblem(await api('PUT', settingsPath(id), { token: stranger!.token, body: { muted: true } }), 404);
    }
    const { rows } = await stack.notificationsDb.query('SELECT 1 FROM conversation_settings WHERE user_id = $1', [stranger!.id]);
    expect(rows).toEqual([]);
  });

  it('lists unread ones, pages with a cursor, and marks read by ids or all', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    for (const body of ['one', 'two', 'three', 'four', 'five']) await send(stack, alice!, conversationId, body);
    const all = await notificationsOf(bob!, 5);
    expect(all.map((n) => n.preview)).toEqual(['five', 'four', 'three', 'two', 'one']);

    const first = await list(bob!, '?limit=2');
    expect(first.items.map((n: any) => n.preview)).toEqual(['five', 'four']);
    const second = await list(bob!, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((n: any) => n.preview)).toEqual(['three', 'two']);
    const third = await list(bob!, `?limit=2&cursor=${second.nextCursor}`);
    expect(third).toEqual({ items: [expect.objectContaining({ preview: 'one' })], nextCursor: null });

    const read = await api('POST', '/api/v1/notifications/read', { token: bob!.token, body: { ids: [all[0].id, all[1].id] } });
    expect(read.status).toBe(204);
    expect((await list(bob!, '?unread=true')).items.map((n: any) => n.preview)).toEqual(['three', 'two', 'one']);
    expect((await list(bob!)).items[0].readAt).toEqual(expect.any(String));

    // Someone else's ids change nothing.
    expect((await api('POST', '/api/v1/notifications/read', { token: alice!.token, body: { ids: [all[2].id] } })).status).toBe(204);
    expect((await list(bob!, '?unread=true')).items).toHaveLength(3);

    expect((await api('POST', '/api/v1/notifications/read', { token: bob!.token, body: { all: true } })).status).toBe(204);
    expect((await list(bob!, '?unread=true')).items).toEqual([]);
  });

  it('stores one notification per event, however often the event is delivered', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    const message = await send(stack, alice!, conversationId, 'original');
    await notificationsOf(bob!, 1);
    const event = stack.recorder.of('message.created', (d) => d.message.id === message.id)[0]!;
    await stack.adapters.bus.publish([event, event]);
    // A later message's notification arriving means the duplicates were handled before it.
    await send(stack, alice!, conversationId, 'later');
    const items = await notificationsOf(bob!, 2);
    expect(items.map((n) => n.preview)).toEqual(['later', 'original']);
  });

  it('a deleted message takes its notification with it', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    const message = await send(stack, alice!, conversationId, 'oops');
    await notificationsOf(bob!, 1);
    expect((await stack.api('DELETE', `/api/v1/messages/${message.id}`, { token: alice!.token })).status).toBe(204);
    await waitUntil(async () => (await list(bob!)).items.length === 0);
  });

  it('deletes notifications older than the retention, read or not, and keeps the newer ones', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    await send(stack, alice!, conversationId, 'from last season');
    await send(stack, alice!, conversationId, 'from today');
    const [today, old] = await notificationsOf(bob!, 2);
    await stack.notificationsDb.query(`UPDATE notifications SET created_at = now() - interval '91 days' WHERE id = $1`, [old.id]);

    const deleted = await pruneNotifications({
      db: stack.notificationsDb,
      config: { NOTIFICATION_RETENTION_DAYS: 90 } as NotificationsConfig,
      logger: createLogger('notifications-test', 'silent'),
    });
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect((await list(bob!)).items.map((n: any) => n.id)).toEqual([today.id]);
  });

  it('refuses bad queries and bodies with 400 and anonymous callers with 401', async () => {
    const [alice] = await users(1);
    expectFieldErrors(await api('GET', '/api/v1/notifications?limit=0', { token: alice!.token }), ['querystring.limit']);
    expectFieldErrors(await api('GET', '/api/v1/notifications?cursor=bm9wZQ', { token: alice!.token }), ['querystring.cursor']);
    expectProblem(await api('POST', '/api/v1/notifications/read', { token: alice!.token, body: { ids: ['x'] } }), 400);
    expectProblem(await api('POST', '/api/v1/notifications/read', { token: alice!.token, body: { all: false } }), 400);
    expectProblem(await api('POST', '/api/v1/notifications/read', { token: alice!.token, raw: '{', headers: { 'content-type': 'application/json' } }), 400);
    expectProblem(await api('GET', '/api/v1/notifications'), 401);
    expectProblem(await api('GET', '/api/v1/notifications', { token: 'nope' }), 401);
  });
});
