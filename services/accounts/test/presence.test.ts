import { firstIdAt, makeEvent } from '@parley/kit';
import { adapterKinds, apiFor, registerUser, type Api, type SignedIn } from '@parley/kit/testing';
import type { DomainEvent, ShownStatus } from '@parley/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPresenceChange } from '../src/domain/apply-presence-change.ts';
import { outboxEventsOf, publishPresence, startAccounts, type AccountsHarness } from './harness.ts';

/*
 * accounts' side of presence (docs/presence.md): notifications decides what others see and says
 * so with presence.changed; accounts shows it on public profiles, search and contacts, and keeps
 * the chosen status on the user's own profile.
 */
describe.each(adapterKinds())('accounts presence from notifications (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;
  let viewer: SignedIn;

  beforeAll(async () => {
    h = await startAccounts(kind, { AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
    viewer = await registerUser(api);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const publicStatus = async (user: SignedIn) => (await api('GET', `/api/v1/users/${user.user.id}`, { token: viewer.accessToken })).body.status;
  const searchStatus = async (user: SignedIn) =>
    (await api('GET', `/api/v1/users?q=${user.user.username}`, { token: viewer.accessToken })).body.items.find((u: { id: string }) => u.id === user.user.id)?.status;
  const stored = async (user: SignedIn) =>
    (
      await h.db.query<{ status: string; presence: string; auto_away: boolean; last_seen_at: Date | null }>(
        'SELECT status, presence, auto_away, last_seen_at FROM users WHERE id = $1',
        [user.user.id],
      )
    ).rows[0]!;
  /** A presence.changed event made at `at` (its id sorts at that moment), applied directly as the consumer would. */
  const apply = (user: SignedIn, status: ShownStatus, at: Date) => {
    const event = { ...makeEvent('presence.changed', { userId: user.user.id, status }, 'notifications'), occurredAt: at.toISOString() };
    event.id = firstIdAt(at).slice(0, 24) + event.id.slice(24);
    return applyPresenceChange(h.service.context, event as DomainEvent<'presence.changed'>);
  };

  it('a registered user nobody has seen connect is offline to others, online to themself', async () => {
    const alice = await registerUser(api);
    expect(await publicStatus(alice)).toBe('offline');
    expect(await searchStatus(alice)).toBe('offline');
    expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body.status).toBe('online');
  });

  it('each presence.changed on the bus shows on the profile and in search at once, with a last-seen time; the own profile keeps the choice', async () => {
    const alice = await registerUser(api);
    expect((await api('PUT', '/api/v1/users/me/status', { token: alice.accessToken, body: { status: 'dnd' } })).status).toBe(200);
    for (const status of ['dnd', 'away', 'online', 'offline'] as const) {
      const event = await publishPresence(h, alice.user.id, status);
      expect(await publicStatus(alice)).toBe(status);
      expect(await searchStatus(alice)).toBe(status);
      expect((await stored(alice)).last_seen_at?.toISOString()).toBe(event.occurredAt);
    }
    expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body.status).toBe('dnd');
  });

  it('an older or repeated event changes nothing: the latest decision stays', async () => {
    const alice = await registerUser(api);
    const now = Date.now();
    await apply(alice, 'online', new Date(now));
    await apply(alice, 'offline', new Date(now - 5000));
    expect(await publicStatus(alice)).toBe('online');
    await apply(alice, 'offline', new Date(now + 1000));
    await apply(alice, 'online', new Date(now + 500));
    expect((await stored(alice)).presence).toBe('offline');
    expect((await stored(alice)).last_seen_at?.getTime()).toBe(now + 1000);
  });

  it('an idle-away ends when the user disconnects or connects again: back online, with its event', async () => {
    const alice = await registerUser(api);
    await apply(alice, 'online', new Date());
    await h.db.query(`UPDATE users SET status = 'away', auto_away = true WHERE id = $1`, [alice.user.id]);
    await apply(alice, 'away', new Date(Date.now() + 10));
    // Notifications telling "away" (the idle-away it was told of) is no activity: it stays.
    expect(await stored(alice)).toMatchObject({ status: 'away', auto_away: true, presence: 'away' });
    await apply(alice, 'offline', new Date(Date.now() + 20));
    expect(await stored(alice)).toMatchObject({ status: 'online', auto_away: false, presence: 'offline' });
    const changes = (await outboxEventsOf(h, alice.user.id)).filter((e) => e.type === 'user.status_changed');
    expect(changes).toEqual([{ type: 'user.status_changed', data: { userId: alice.user.id, status: 'online' } }]);
  });

  it('an invisible user is offline to others at once, whatever presence says', async () => {
    const alice = await registerUser(api);
    await publishPresence(h, alice.user.id, 'online');
    await api('PUT', '/api/v1/users/me/status', { token: alice.accessToken, body: { status: 'invisible' } });
    expect(await publicStatus(alice)).toBe('offline');
  });

  it('a presence.changed of an unknown user changes nothing and fails nothing', async () => {
    const ghost = { user: { id: firstIdAt(new Date()), username: 'ghost', email: '', displayName: '' } } as SignedIn;
    await expect(apply(ghost, 'online', new Date())).resolves.toBeUndefined();
  });
});
