import { adapterKinds, apiFor, type Api } from '@parley/kit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDirect, startNotificationsStack, type NotificationsStack, type StackUser } from './harness.ts';
import { STARTUP_MS, Sockets, WAIT } from './ws-client.ts';

type Shown = 'online' | 'away' | 'dnd' | 'offline';

/*
 * One source of truth for what other users see of someone (docs/presence.md): the public profile
 * (accounts), user search (accounts), GET /api/v1/presence and the `presence` frames
 * (notifications) always end up agreeing, while the user's own profile keeps the chosen status.
 * The stack runs a grace period and a sweep of 1 s.
 */
describe.each(adapterKinds())('presence: profiles, search, /presence and frames agree (%s)', (kind) => {
  let stack: NotificationsStack;
  let accounts: Api;
  const sockets = new Sockets();

  beforeAll(async () => {
    stack = await startNotificationsStack(kind);
    accounts = apiFor(stack.accountsUrl);
  }, STARTUP_MS);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await stack?.stop();
  });

  /** What `viewer` sees of `user` on the profile, in search and from /presence. */
  const seenBy = async (viewer: StackUser, user: StackUser) => {
    const [profile, search, presence] = await Promise.all([
      accounts('GET', `/api/v1/users/${user.id}`, { token: viewer.token }),
      accounts('GET', `/api/v1/users?q=${user.username}`, { token: viewer.token }),
      stack.notifications.api('GET', `/api/v1/presence?userIds=${user.id}`, { token: viewer.token }),
    ]);
    return {
      profile: profile.body.status,
      search: search.body.items.find((found: { id: string }) => found.id === user.id)?.status,
      presence: presence.body.items[0]?.status,
    };
  };

  /** Waits until all three agree on `status` (they follow each other within an event's latency). */
  const expectSeenAs = (viewer: StackUser, user: StackUser, status: Shown) =>
    vi.waitFor(async () => expect(await seenBy(viewer, user)).toEqual({ profile: status, search: status, presence: status }), WAIT);

  const setStatus = async (user: StackUser, status: string) => {
    const res = await accounts('PUT', '/api/v1/users/me/status', { token: user.token, body: { status } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  /** A viewer with a socket open who shares a direct conversation with user (so hears user's presence frames). */
  const watchedPair = async () => {
    const [viewer, user] = [await stack.register(), await stack.register()];
    const watcher = await sockets.as(stack.notifications.wsUrl, viewer.token);
    const conversationId = await openDirect(stack, viewer, user);
    await watcher.waitFor('conversation.created', (d) => d.conversation.id === conversationId);
    return { viewer, user, watcher };
  };
  const ownStatus = async (user: StackUser) => (await accounts('GET', '/api/v1/users/me', { token: user.token })).body.status;

  it('a user who never connected is offline everywhere, with no last-seen time, while their own profile says online', async () => {
    const [viewer, user] = [await stack.register(), await stack.register()];
    expect(await seenBy(viewer, user)).toEqual({ profile: 'offline', search: 'offline', presence: 'offline' });
    expect((await accounts('GET', `/api/v1/users/${user.id}`, { token: viewer.token })).body.lastSeenAt).toBeNull();
    expect(await ownStatus(user)).toBe('online');
  });

  it('connecting shows online everywhere (and in the frame), with a last-seen time; leaving shows offline after the grace period', async () => {
    const { viewer, user, watcher } = await watchedPair();

    const socket = await sockets.as(stack.notifications.wsUrl, user.token);
    expect((await watcher.waitFor('presence', (d) => d.userId === user.id)).data).toEqual({ userId: user.id, status: 'online' });
    await expectSeenAs(viewer, user, 'online');
    expect((await accounts('GET', `/api/v1/users/${user.id}`, { token: viewer.token })).body.lastSeenAt).toEqual(expect.any(String));

    socket.close();
    await socket.waitClosed();
    await watcher.waitFor('presence', (d) => d.userId === user.id && d.status === 'offline');
    await expectSeenAs(viewer, user, 'offline');
    expect(watcher.of('presence', (d) => d.userId === user.id).map((frame) => frame.data.status)).toEqual(['online', 'offline']);
    expect(await ownStatus(user)).toBe('online');
  });

  it('dnd and away chosen while connected show everywhere; invisible shows offline everywhere; the own profile keeps the choice', async () => {
    const { viewer, user, watcher } = await watchedPair();
    await sockets.as(stack.notifications.wsUrl, user.token);
    await expectSeenAs(viewer, user, 'online');

    for (const status of ['dnd', 'away'] as const) {
      await setStatus(user, status);
      await watcher.waitFor('presence', (d) => d.userId === user.id && d.status === status);
      await expectSeenAs(viewer, user, status);
      expect(await ownStatus(user)).toBe(status);
    }

    await setStatus(user, 'invisible');
    await watcher.waitFor('presence', (d) => d.userId === user.id && d.status === 'offline');
    await expectSeenAs(viewer, user, 'offline');
    expect(await ownStatus(user)).toBe('invisible');
    expect((await accounts('GET', `/api/v1/users/${user.id}`, { token: viewer.token })).body).toMatchObject({ lastSeenAt: null, statusText: null });

    await setStatus(user, 'online');
    await expectSeenAs(viewer, user, 'online');
  });

  it('a status chosen while not connected shows nowhere but on the own profile, until the user connects', async () => {
    const [viewer, user] = [await stack.register(), await stack.register()];
    await setStatus(user, 'dnd');
    expect(await seenBy(viewer, user)).toEqual({ profile: 'offline', search: 'offline', presence: 'offline' });
    expect(await ownStatus(user)).toBe('dnd');

    const socket = await sockets.as(stack.notifications.wsUrl, user.token);
    await expectSeenAs(viewer, user, 'dnd');
    socket.close();
    await expectSeenAs(viewer, user, 'offline');
    expect(await ownStatus(user)).toBe('dnd');
  });

  it('an invisible user who connects stays offline everywhere', async () => {
    const [viewer, user] = [await stack.register(), await stack.register()];
    await setStatus(user, 'invisible');
    await sockets.as(stack.notifications.wsUrl, user.token);
    // The connection is recorded (as hidden) once the user's presence record exists.
    await vi.waitFor(async () => {
      const { rows } = await stack.notificationsDb.query<{ state: string }>('SELECT state FROM shown_presence WHERE user_id = $1', [user.id]);
      expect(rows[0]?.state).toBe('hidden');
    }, WAIT);
    expect(await seenBy(viewer, user)).toEqual({ profile: 'offline', search: 'offline', presence: 'offline' });
  });

  it("when the instance holding a user's only socket stops, the others show the user offline after the grace period", async () => {
    const [viewer, user] = [await stack.register(), await stack.register()];
    const other = await stack.startInstance();
    await sockets.as(other.wsUrl, user.token);
    await expectSeenAs(viewer, user, 'online');
    // A stopping instance clears its timers: nobody there will say "offline". The sweep of the
    // instance left finds the user recorded but counted nowhere, and ends it.
    await other.stop();
    await expectSeenAs(viewer, user, 'offline');
  });
});
