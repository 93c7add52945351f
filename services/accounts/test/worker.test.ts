import { newId, type EventEnvelope } from '@parley/kit';
import { adapterKinds, apiFor, expectFieldErrors, expectProblem, logIn, registerUser, type Api, type Registered, type SignedIn } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LAST_LOGIN_JOB } from '../src/domain/log-in.ts';
import { ACTIVITY_JOB, type ActivityJob } from '../src/domain/record-activity.ts';
import { LAST_SEEN_JOB } from '../src/domain/touch-last-seen.ts';
import { MARK_IDLE_JOB, PURGE_TOKENS_JOB, accountsJobHandlers } from '../src/worker/jobs.ts';
import { outboxEventsOf, publishPresence, startAccounts, type AccountsHarness } from './harness.ts';

/** The worker and the bus work after the request has answered. */
const eventually = { timeout: 10_000, interval: 100 };

describe.each(adapterKinds())('accounts worker, activity and events (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;
  /** Everything the bus delivered to an observer bound to user.* and session.*. */
  const delivered: EventEnvelope[] = [];
  let observer: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    h = await startAccounts(kind, { AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
    observer = await h.adapters.bus.subscribe({ queue: 'test-observer', bindings: ['user.*', 'session.*'] }, async (event) => {
      delivered.push(event);
    });
  });
  afterAll(async () => {
    await observer?.close();
    await h?.stop();
  });

  /** Runs one of the worker's job handlers directly, as a retry would. */
  async function runJob(name: string, data: unknown = {}): Promise<void> {
    const handler = accountsJobHandlers(h.service.context)[name];
    if (!handler) throw new Error(`no handler for ${name}`);
    await handler(data, { id: newId(), attempt: 1 });
  }

  const activityOf = async (token: string, query = '') => {
    const res = await api('GET', `/api/v1/users/me/activity${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: { id: string; kind: string; detail: Record<string, unknown>; occurredAt: string }[]; nextCursor: string | null };
  };

  describe('GET /api/v1/users/me/activity', () => {
    let alice: Registered;
    // Registering is the first sign-in, the explicit login the second.
    const expectedKinds = ['status_changed', 'profile_updated', 'login', 'login'];

    beforeAll(async () => {
      alice = await registerUser(api);
      await logIn(api, alice.input.username, alice.input.password);
      expect((await api('PATCH', '/api/v1/users/me', { token: alice.accessToken, body: { bio: 'busy bee' } })).status).toBe(200);
      expect((await api('PUT', '/api/v1/users/me/status', { token: alice.accessToken, body: { status: 'dnd' } })).status).toBe(200);
    });

    it('after registering, a login, a profile change and a status change, it lists them newest first', async () => {
      await vi.waitFor(async () => {
        expect((await activityOf(alice.accessToken)).items.map((e) => e.kind)).toEqual(expectedKinds);
      }, eventually);
      const { items, nextCursor } = await activityOf(alice.accessToken);
      expect(nextCursor).toBeNull();
      expect(items[0]).toMatchObject({ kind: 'status_changed', detail: { status: 'dnd' } });
      expect(items[1]).toMatchObject({ kind: 'profile_updated', detail: { fields: ['bio'] } });
      expect(items[2]).toMatchObject({ kind: 'login', detail: { ip: expect.any(String), device: expect.any(String) } });
      expect(items[3]).toMatchObject({ kind: 'login', detail: { ip: expect.any(String), device: expect.any(String) } });
      const times = items.map((e) => Date.parse(e.occurredAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('pages with limit=1 and nextCursor through the same entries, then nextCursor is null', async () => {
      await vi.waitFor(async () => {
        expect((await activityOf(alice.accessToken)).items).toHaveLength(expectedKinds.length);
      }, eventually);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await activityOf(alice.accessToken, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(1);
        seen.push(...page.items.map((e) => e.kind));
        cursor = page.nextCursor;
      } while (cursor !== null && seen.length < 10);
      expect(seen).toEqual(expectedKinds);
    });

    it("shows only the caller's own activity", async () => {
      const bob = await registerUser(api);
      // Only his own sign-in (registering), none of alice's entries.
      await vi.waitFor(async () => {
        expect((await activityOf(bob.accessToken)).items.map((e) => e.kind)).toEqual(['login']);
      }, eventually);
    });

    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const badCursors: [string, string][] = [
      ['garbage', 'not-a-cursor'],
      ['base64 of no JSON', Buffer.from('hello').toString('base64url')],
      ['a JSON string', forged('2026-01-01T00:00:00.000Z')],
      ['a JSON null', forged(null)],
      ['a malformed id', forged(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])],
      ['a date that is no date', forged(['yesterday', newId()])],
      ['year 0, which PostgreSQL does not have', forged(['0000-01-01T00:00:00.000Z', newId()])],
      ['a six-digit year', forged(['+275760-09-13T00:00:00.000Z', newId()])],
      ['a negative year', forged(['-271821-04-20T00:00:00.000Z', newId()])],
      ['over 200 characters', 'c'.repeat(201)],
    ];
    it.each(badCursors)('a cursor that is %s answers 400 naming it', async (_case, cursor) => {
      expectFieldErrors(await api('GET', `/api/v1/users/me/activity?cursor=${encodeURIComponent(cursor)}`, { token: alice.accessToken }), ['querystring.cursor']);
    });

    it.each(['0', '201', 'ten', '-1'])('limit=%s answers 400 naming it', async (limit) => {
      expectFieldErrors(await api('GET', `/api/v1/users/me/activity?limit=${limit}`, { token: alice.accessToken }), ['querystring.limit']);
    });

    it('lastLoginAt is set by registering (a sign-in) and moves forward (eventually) after a login', async () => {
      const bob = await registerUser(api);
      const registeredAt = (await api('GET', '/api/v1/users/me', { token: bob.accessToken })).body.lastLoginAt;
      expect(registeredAt).toEqual(expect.any(String));
      const before = Date.now();
      await logIn(api, bob.input.username, bob.input.password);
      await vi.waitFor(async () => {
        const lastLoginAt = (await api('GET', '/api/v1/users/me', { token: bob.accessToken })).body.lastLoginAt;
        expect(lastLoginAt).toEqual(expect.any(String));
        expect(Date.parse(lastLoginAt as string)).toBeGreaterThanOrEqual(before - 1000);
      }, eventually);
    });
  });

  describe('job handlers', () => {
    it('the activity job run twice with the same data records one entry', async () => {
      const bob = await registerUser(api);
      const job: ActivityJob = { id: newId(), userId: bob.user.id, kind: 'avatar_updated', detail: { test: true }, occurredAt: new Date().toISOString() };
      await runJob(ACTIVITY_JOB, job);
      await runJob(ACTIVITY_JOB, job);
      const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM activity WHERE id = $1', [job.id]);
      expect(rows[0]?.n).toBe(1);
      expect((await activityOf(bob.accessToken)).items.filter((e) => e.id === job.id)).toHaveLength(1);
    });

    it('the last-login job run twice, or late with an older time, keeps the latest login time', async () => {
      const bob = await registerUser(api);
      const at = new Date().toISOString();
      await runJob(LAST_LOGIN_JOB, { userId: bob.user.id, at });
      await runJob(LAST_LOGIN_JOB, { userId: bob.user.id, at });
      await runJob(LAST_LOGIN_JOB, { userId: bob.user.id, at: new Date(Date.now() - 86_400_000).toISOString() });
      expect((await api('GET', '/api/v1/users/me', { token: bob.accessToken })).body.lastLoginAt).toBe(at);
    });

    it('the idle job marks a connected online user not seen for IDLE_AWAY_SECONDS away, once, and says so in the outbox', async () => {
      const idler = await registerUser(api);
      const busy = await registerUser(api);
      const absent = await registerUser(api);
      await api('PUT', '/api/v1/users/me/status', { token: busy.accessToken, body: { status: 'dnd' } });
      // idler and busy have a socket open (notifications says so); absent has none.
      await publishPresence(h, idler.user.id, 'online');
      await publishPresence(h, busy.user.id, 'dnd');
      // Let queued last-seen updates land first, so they cannot undo the backdating below.
      await h.jobs.drain();
      const longAgo = `${h.config.IDLE_AWAY_SECONDS + 60} seconds`;
      const everyone = [idler.user.id, busy.user.id, absent.user.id];
      await h.db.query(`UPDATE users SET last_seen_at = now() - $2::interval WHERE id = ANY($1::uuid[])`, [everyone, longAgo]);

      await runJob(MARK_IDLE_JOB);
      await runJob(MARK_IDLE_JOB);

      // Read from the database: a request of the user's own would count as activity and end the idle-away.
      const ownStatus = async (user: SignedIn) => (await h.db.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [user.user.id])).rows[0]?.status;
      expect(await ownStatus(idler)).toBe('away');
      const awayEvents = (await outboxEventsOf(h, idler.user.id)).filter((e) => e.type === 'user.status_changed');
      expect(awayEvents).toEqual([{ type: 'user.status_changed', data: { userId: idler.user.id, status: 'away' } }]);
      // A status the user chose is left alone.
      expect(await ownStatus(busy)).toBe('dnd');
      expect((await outboxEventsOf(h, busy.user.id)).filter((e) => e.type === 'user.status_changed')).toHaveLength(1);
      // Idle is a connected user's state: someone with no socket stays as chosen (others see offline anyway).
      expect(await ownStatus(absent)).toBe('online');
      expect((await outboxEventsOf(h, absent.user.id)).filter((e) => e.type === 'user.status_changed')).toEqual([]);

      // Being seen again brings an idle-away user back online, once.
      const seen = { userId: idler.user.id, at: new Date().toISOString() };
      await runJob(LAST_SEEN_JOB, seen);
      await runJob(LAST_SEEN_JOB, seen);
      expect((await api('GET', '/api/v1/users/me', { token: idler.accessToken })).body).toMatchObject({ status: 'online', lastSeenAt: seen.at });
      expect((await outboxEventsOf(h, idler.user.id)).filter((e) => e.type === 'user.status_changed').map((e) => e.data.status)).toEqual(['away', 'online']);
    });

    it('the purge job deletes expired refresh tokens, which never worked anyway', async () => {
      const bob = await registerUser(api);
      await h.db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 minute' WHERE session_id = $1`, [bob.sessionId]);
      await runJob(PURGE_TOKENS_JOB);
      await runJob(PURGE_TOKENS_JOB);
      const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE session_id = $1', [bob.sessionId]);
      expect(rows[0]?.n).toBe(0);
      expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: bob.refreshToken } }), 401);
    });
  });

  describe('events', () => {
    it('register, profile change, status change and logout each write their event to the outbox, and the bus delivers them', async () => {
      const carol = await registerUser(api);
      await api('PATCH', '/api/v1/users/me', { token: carol.accessToken, body: { displayName: 'Carol C.', locale: 'fr' } });
      await api('PUT', '/api/v1/users/me/status', { token: carol.accessToken, body: { status: 'away', text: 'lunch' } });
      expect((await api('POST', '/api/v1/auth/logout', { token: carol.accessToken })).status).toBe(204);

      const expected = [
        { type: 'user.registered', data: { userId: carol.user.id, username: carol.input.username, displayName: carol.input.displayName } },
        // The locale is private: it is not announced.
        { type: 'user.updated', data: { userId: carol.user.id, changes: { displayName: 'Carol C.' } } },
        { type: 'user.status_changed', data: { userId: carol.user.id, status: 'away', text: 'lunch' } },
        { type: 'session.revoked', data: { userId: carol.user.id, sessionId: carol.sessionId, reason: 'logout' } },
      ];
      expect(await outboxEventsOf(h, carol.user.id)).toEqual(expected);

      await vi.waitFor(() => {
        const mine = delivered.filter((e) => (e.data as { userId?: string }).userId === carol.user.id);
        expect(mine.map((e) => ({ type: e.type, data: e.data }))).toEqual(expect.arrayContaining(expected));
        for (const event of mine) expect(event).toMatchObject({ id: expect.any(String), producer: 'accounts', occurredAt: expect.any(String) });
      }, eventually);
    });
  });

  it('without a token, the activity answers 401', async () => {
    expectProblem(await api('GET', '/api/v1/users/me/activity'), 401);
  });
});
