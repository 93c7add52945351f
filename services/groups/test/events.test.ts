import { parseEvent, type AnyEvent, type GroupRole } from '@parley/contracts';
import type { EventEnvelope } from '@parley/kit';
import { adapterKinds, apiFor, type Api, type ApiResponse } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGroupsStack, type GroupsStack, type StackUser } from './stack.ts';

// Two services start per file (two databases); on a busy machine that alone can take a minute.
vi.setConfig({ hookTimeout: 180_000, testTimeout: 120_000 });

/** What a consumer can know about a group from its events alone. */
interface GroupState {
  group: { id: string; name: string; description: string | null; ownerId: string; memberCount: number } | null;
  members: Record<string, GroupRole>;
}

const EMPTY: GroupState = { group: null, members: {} };

/** Applies one group.* event to a group's state, as a consumer would: pure, no I/O. */
function applyGroupEvent(state: GroupState, event: AnyEvent): GroupState {
  const members = { ...state.members };
  const withCount = (group: GroupState['group']): GroupState['group'] => (group ? { ...group, memberCount: Object.keys(members).length } : null);
  switch (event.type) {
    case 'group.created': {
      const { groupId, name, description, ownerId, memberIds } = event.data;
      for (const id of memberIds) members[id] = id === ownerId ? 'owner' : 'member';
      return { group: withCount({ id: groupId, name, description: description ?? null, ownerId, memberCount: 0 }), members };
    }
    case 'group.updated': {
      if (!state.group) throw new Error('group.updated for a group not in the state');
      return { group: { ...state.group, ...event.data.changes }, members };
    }
    case 'group.deleted':
      return EMPTY;
    case 'group.member_added':
      members[event.data.userId] = event.data.role;
      return { group: withCount(state.group), members };
    case 'group.member_removed':
      delete members[event.data.userId];
      return { group: withCount(state.group), members };
    case 'group.member_role_changed': {
      members[event.data.userId] = event.data.role;
      const group = state.group && event.data.role === 'owner' ? { ...state.group, ownerId: event.data.userId } : state.group;
      return { group, members };
    }
    default:
      throw new Error(`not a group event: ${event.type}`);
  }
}

describe.each(adapterKinds())('groups events (%s)', (kind) => {
  let stack: GroupsStack;
  let api: Api;
  let owner: StackUser;
  let ann: StackUser;
  let ben: StackUser;
  let cat: StackUser;
  const received: EventEnvelope[] = [];
  let subscription: { close(): Promise<void> };

  beforeAll(async () => {
    stack = await startGroupsStack(kind);
    api = apiFor(stack.groupsUrl);
    subscription = await stack.adapters.bus.subscribe({ queue: 'groups-test.events', bindings: ['group.*'] }, async (event) => {
      received.push(event);
    });
    [owner, ann, ben, cat] = await Promise.all([stack.register(), stack.register(), stack.register(), stack.register()]);
  });
  afterAll(async () => {
    await subscription?.close();
    await stack?.stop();
  });

  /** The group's state as the REST API shows it to `reader` (gone: EMPTY). */
  async function readState(groupId: string, reader: StackUser): Promise<GroupState> {
    const group = await api('GET', `/api/v1/groups/${groupId}`, { token: reader.token });
    if (group.status === 404) return EMPTY;
    expect(group.status).toBe(200);
    const members: Record<string, GroupRole> = {};
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
      const page: ApiResponse = await api('GET', `/api/v1/groups/${groupId}/members${query}`, { token: reader.token });
      for (const m of page.body.items) members[m.userId] = m.role;
      cursor = page.body.nextCursor;
    } while (cursor);
    const { id, name, description, ownerId, memberCount } = group.body;
    return { group: { id, name, description, ownerId, memberCount }, members };
  }

  /** How many events the service committed to its outbox about a group: the bus must deliver as many. */
  async function committedCount(groupId: string): Promise<number> {
    const { rows } = await stack.groupsDb.query<{ n: number | string }>(`SELECT count(*) AS n FROM outbox WHERE data->>'groupId' = $1`, [groupId]);
    return Number(rows[0]?.n ?? 0);
  }

  const eventsOf = (groupId: string): EventEnvelope[] =>
    received.filter((e) => (e.data as { groupId?: string }).groupId === groupId).sort((a, b) => a.id.localeCompare(b.id));

  /**
   * Runs one call and checks event consistency: the events it emitted (read from the bus),
   * applied to the state before, give the state after. Returns the call's answer and its events.
   */
  async function step(
    groupId: string | undefined,
    reader: StackUser,
    call: () => Promise<ApiResponse>,
  ): Promise<{ res: ApiResponse; groupId: string; events: AnyEvent[] }> {
    const before = groupId ? await readState(groupId, reader) : EMPTY;
    const seen = groupId ? eventsOf(groupId).length : 0;
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    const id = groupId ?? (res.body.id as string);
    const after = await readState(id, reader);
    const committed = await committedCount(id);
    await vi.waitFor(() => expect(eventsOf(id)).toHaveLength(committed), { timeout: 30_000 });
    const events = eventsOf(id).slice(seen).map(parseEvent);
    expect(events.reduce(applyGroupEvent, before)).toEqual(after);
    return { res, groupId: id, events };
  }

  it('a group’s whole life: each call’s events, applied to the state before, give the state after', async () => {
    const created = await step(undefined, owner, () =>
      api('POST', '/api/v1/groups', { token: owner.token, body: { name: 'Life', description: 'Story', memberIds: [ann.id] } }),
    );
    expect(created.res.status).toBe(201);
    expect(created.events.map((e) => e.type)).toEqual(['group.created']);
    expect(created.events[0]!.data).toMatchObject({ ownerId: owner.id, memberIds: expect.arrayContaining([owner.id, ann.id]) });
    expect(created.events[0]!.producer).toBe('groups');
    const id = created.groupId;

    const renamed = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}`, { token: owner.token, body: { name: 'Life 2', description: 'Story' } }));
    expect(renamed.events.map((e) => e.type)).toEqual(['group.updated']);
    // Only what changed, and who changed it.
    expect(renamed.events[0]!.data).toEqual({ groupId: id, changes: { name: 'Life 2' }, updatedBy: owner.id });

    const cleared = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}`, { token: owner.token, body: { description: '' } }));
    expect(cleared.events[0]!.data).toMatchObject({ changes: { description: null } });

    const unchanged = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}`, { token: owner.token, body: { name: 'Life 2' } }));
    expect(unchanged.res.status).toBe(200);
    expect(unchanged.events).toEqual([]);

    const added = await step(id, owner, () => api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ann.id, ben.id, cat.id] } }));
    expect(added.events.map((e) => [e.type, (e.data as any).userId]).sort()).toEqual(
      [
        ['group.member_added', ben.id],
        ['group.member_added', cat.id],
      ].sort(),
    );
    expect(added.events[0]!.data).toMatchObject({ role: 'member', addedBy: owner.id });

    const again = await step(id, owner, () => api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ben.id] } }));
    expect(again.events).toEqual([]);

    const promoted = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } }));
    expect(promoted.events.map((e) => e.data)).toEqual([{ groupId: id, userId: ann.id, role: 'admin' }]);

    const same = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } }));
    expect(same.events).toEqual([]);

    const removedByAdmin = await step(id, owner, () => api('DELETE', `/api/v1/groups/${id}/members/${cat.id}`, { token: ann.token }));
    expect(removedByAdmin.events.map((e) => e.data)).toEqual([{ groupId: id, userId: cat.id, removedBy: ann.id }]);

    const handedOver = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token, body: { role: 'owner' } }));
    expect(handedOver.events.map((e) => e.type)).toEqual(['group.member_role_changed', 'group.member_role_changed']);
    expect(handedOver.events.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { groupId: id, userId: ben.id, role: 'owner' },
        { groupId: id, userId: owner.id, role: 'admin' },
      ]),
    );

    const demoted = await step(id, owner, () => api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: ben.token, body: { role: 'member' } }));
    expect(demoted.events.map((e) => e.data)).toEqual([{ groupId: id, userId: ann.id, role: 'member' }]);

    const left = await step(id, owner, () => api('DELETE', `/api/v1/groups/${id}/members/${ann.id}`, { token: ann.token }));
    // Leaving: removedBy is the member themself.
    expect(left.events.map((e) => e.data)).toEqual([{ groupId: id, userId: ann.id, removedBy: ann.id }]);

    const deleted = await step(id, owner, () => api('DELETE', `/api/v1/groups/${id}`, { token: ben.token }));
    expect(deleted.events.map((e) => e.type)).toEqual(['group.deleted']);
    expect(deleted.events[0]!.data).toMatchObject({ groupId: id, deletedBy: ben.id });
    expect([...(deleted.events[0]!.data as { memberIds: string[] }).memberIds].sort()).toEqual([owner.id, ben.id].sort());
  });

  it('refused calls (403, 404, 409, 400) change nothing and emit nothing', async () => {
    const { groupId: id } = await step(undefined, owner, () => api('POST', '/api/v1/groups', { token: owner.token, body: { name: 'Quiet', memberIds: [ann.id] } }));
    const refused: [string, () => Promise<ApiResponse>, number][] = [
      ['a member renames', () => api('PATCH', `/api/v1/groups/${id}`, { token: ann.token, body: { name: 'No' } }), 403],
      ['a member deletes', () => api('DELETE', `/api/v1/groups/${id}`, { token: ann.token }), 403],
      ['an outsider adds', () => api('POST', `/api/v1/groups/${id}/members`, { token: cat.token, body: { userIds: [cat.id] } }), 404],
      ['the owner leaves', () => api('DELETE', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token }), 409],
      ['the owner demotes themself', () => api('PATCH', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token, body: { role: 'member' } }), 409],
      [
        'an unknown user is added',
        () => api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: ['01890000-0000-7000-8000-000000000000'] } }),
        400,
      ],
    ];
    for (const [what, call, status] of refused) {
      const { res, events } = await step(id, owner, call);
      expect(res.status, what).toBe(status);
      expect(events, what).toEqual([]);
    }
  });

  it('every event a group’s life emits fits its contract schema', async () => {
    const { groupId: id } = await step(undefined, owner, () => api('POST', '/api/v1/groups', { token: owner.token, body: { name: 'Schema', memberIds: [ann.id] } }));
    await step(id, owner, () => api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ben.id] } }));
    await step(id, owner, () => api('DELETE', `/api/v1/groups/${id}`, { token: owner.token }));
    const events = eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(['group.created', 'group.member_added', 'group.deleted']);
    for (const event of events) expect(() => parseEvent(event)).not.toThrow();
  });
});
