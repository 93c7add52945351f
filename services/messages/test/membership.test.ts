import { adapterKinds, currentEntry, expectProblem, writeBack } from '@parley/kit/testing';
import { makeEvent, newId } from '@parley/kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertMember, groupMemberships, membershipId, memberConversationIds } from '../src/domain/membership.ts';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe.each(adapterKinds())('membership (%s)', (kind) => {
  let s: MessagesStack;
  beforeAll(async () => {
    s = await startMessagesStack(kind);
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  const upload = async (user: StackUser, name = 'pixel.png', bytes: Uint8Array = PNG_1PX, type = 'image/png') => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    const res = await s.api('POST', '/api/v1/files', { token: user.token, raw: form });
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const searchHits = async (user: StackUser, q: string, conversationId?: string) => {
    const res = await s.api('GET', `/api/v1/search/messages?q=${encodeURIComponent(q)}${conversationId ? `&conversationId=${conversationId}` : ''}`, {
      token: user.token,
    });
    return res;
  };
  /** Resolves once the group.* consumer has dropped this cached membership (set by an earlier request). */
  const membershipForgotten = (groupId: string, user: StackUser) =>
    vi.waitFor(async () => expect(await currentEntry(s.adapters.cache, groupMemberships, membershipId(groupId, user.id))).toBeUndefined(), WAIT);

  it('a new group’s conversation is usable at once, by the owner and the members named at creation', async () => {
    const [owner, member] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    const first = await s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: owner.token, body: { body: 'first!', clientMessageId: 'a' } });
    expect(first.status).toBe(201);
    expect(first.body.seq).toBe(1);
    expect((await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: member.token })).status).toBe(200);
    // Exactly one conversation.created, whichever of the lazy path and the group.created consumer came first.
    await vi.waitFor(async () => {
      const { rows } = await s.messagesDb.query<{ title: string | null }>('SELECT title FROM conversations WHERE id = $1', [groupId]);
      expect(rows[0]?.title).toBe('Test group');
    }, WAIT);
    const { rows } = await s.messagesDb.query<{ count: number }>(
      `SELECT count(*) AS count FROM outbox WHERE type = 'conversation.created' AND data->'conversation'->>'id' = $1`,
      [groupId],
    );
    expect(Number(rows[0]!.count)).toBe(1);
    await vi.waitFor(() => expect(s.recorder.of('conversation.created', (d) => d.conversation.id === groupId)).toHaveLength(1), WAIT);
    expect([...s.recorder.of('conversation.created', (d) => d.conversation.id === groupId)[0]!.data.memberIds].sort()).toEqual([owner.id, member.id].sort());
  });

  it('a new group’s members are cached when its group.created arrives, so its first send asks groups nothing', async () => {
    const [owner, member] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    await vi.waitFor(async () => {
      expect(await currentEntry(s.adapters.cache, groupMemberships, membershipId(groupId, owner.id))).toEqual({ role: 'owner' });
      expect(await currentEntry(s.adapters.cache, groupMemberships, membershipId(groupId, member.id))).toEqual({ role: 'member' });
    }, WAIT);
    const getMembership = vi.spyOn(s.groupsClient, 'getMembership');
    try {
      await send(s, member, groupId, 'first in the room');
      expect(getMembership).not.toHaveBeenCalled();
    } finally {
      getMembership.mockRestore();
    }
  });

  it('a promotion is honoured before its event arrives: a moderation refused on a cached role asks groups first', async () => {
    const [owner, admin, other] = await Promise.all([s.register(), s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [admin, other]);
    const message = await send(s, other, groupId);
    const id = membershipId(groupId, admin.id);
    const generationOf = async () => (await groupMemberships.read(s.adapters.cache, [id]))[0]!.generation;
    const before = await generationOf();
    const promoted = await s.groupsApi('PATCH', `/api/v1/groups/${groupId}/members/${admin.id}`, { token: owner.token, body: { role: 'admin' } });
    expect(promoted.status).toBe(200);
    // Let the role change's event be consumed first (it stamps a new generation), so it cannot
    // drop the answer this test checks for after the delete.
    await vi.waitFor(async () => expect(await generationOf()).not.toBe(before), WAIT);
    // A cached "member" the promotion has not reached, as between the commit and its event.
    await writeBack(s.adapters.cache, groupMemberships, membershipId(groupId, admin.id), { role: 'member' });
    expect((await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: admin.token })).status).toBe(204);
    expect(await currentEntry(s.adapters.cache, groupMemberships, membershipId(groupId, admin.id))).toEqual({ role: 'admin' });
  });

  it('someone refused before being added gets in on the very next request after being added', async () => {
    const [owner, newcomer] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner);
    await send(s, owner, groupId);
    expectProblem(await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: newcomer.token }), 404);
    const added = await s.groupsApi('POST', `/api/v1/groups/${groupId}/members`, { token: owner.token, body: { userIds: [newcomer.id] } });
    expect(added.status).toBe(200);
    expect((await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: newcomer.token })).status).toBe(200);
    expect((await s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: newcomer.token, body: { body: 'hi', clientMessageId: 'n' } })).status).toBe(
      201,
    );
  });

  it('a removed member loses read, write, search and download access on the first request after the removal event', async () => {
    const [owner, member] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    const word = `zebra${Date.now().toString(36)}`;
    const file = await upload(owner);
    const shared = await send(s, owner, groupId, `look ${word}`, { attachmentIds: [file.id] });
    const own = await send(s, member, groupId, 'my own words');

    // While a member: everything works (and the membership is now cached).
    expect((await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: member.token })).status).toBe(200);
    expect((await searchHits(member, word)).body.items.map((h: any) => h.message.id)).toEqual([shared.id]);
    expect((await s.api('GET', `/api/v1/files/${file.id}`, { token: member.token })).status).toBe(200);
    // The group's creation events delete the answer again when messages consumes them, which may
    // be after the reads above: read until the cached answer outlives that.
    await vi.waitFor(
      async () => {
        await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: member.token });
        expect(await currentEntry(s.adapters.cache, groupMemberships, membershipId(groupId, member.id))).toBeDefined();
      },
      { timeout: 15_000, interval: 100 },
    );

    const removed = await s.groupsApi('DELETE', `/api/v1/groups/${groupId}/members/${member.id}`, { token: owner.token });
    expect(removed.status).toBe(204);
    await membershipForgotten(groupId, member);

    // Each access, once, straight after: refused.
    const t = { token: member.token };
    expectProblem(await s.api('GET', `/api/v1/conversations/${groupId}/messages`, t), 404);
    expectProblem(await s.api('GET', `/api/v1/conversations/${groupId}`, t), 404);
    expectProblem(await s.api('POST', `/api/v1/conversations/${groupId}/messages`, { ...t, body: { body: 'still here?', clientMessageId: 'x' } }), 404);
    expectProblem(await s.api('POST', `/api/v1/conversations/${groupId}/read`, { ...t, body: { seq: 1 } }), 404);
    expectProblem(await s.api('PATCH', `/api/v1/messages/${own.id}`, { ...t, body: { body: 'edit' } }), 404);
    expectProblem(await s.api('DELETE', `/api/v1/messages/${own.id}`, t), 404);
    expectProblem(await s.api('PUT', `/api/v1/messages/${shared.id}/reactions/${encodeURIComponent('❌')}`, t), 404);
    expectProblem(await searchHits(member, word, groupId), 404);
    const search = await searchHits(member, word);
    expect(search.status).toBe(200);
    expect(search.body.items).toEqual([]);
    expectProblem(await s.api('GET', `/api/v1/files/${file.id}`, t), 404);
    expectProblem(await s.api('GET', `/api/v1/files/${file.id}/thumbnail`, t), 404);
    const list = await s.api('GET', '/api/v1/conversations', t);
    expect(list.body.items.map((c: any) => c.id)).not.toContain(groupId);
    // The owner is unaffected.
    expect((await s.api('GET', `/api/v1/files/${file.id}`, { token: owner.token })).status).toBe(200);
  });

  it('a member who leaves loses access the same way', async () => {
    const [owner, member] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    await send(s, member, groupId);
    expect((await s.groupsApi('DELETE', `/api/v1/groups/${groupId}/members/${member.id}`, { token: member.token })).status).toBe(204);
    await membershipForgotten(groupId, member);
    expectProblem(await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: member.token }), 404);
  });

  it('a role change takes effect on the next request: promoted, a member may delete others’ messages; demoted, no more', async () => {
    const [owner, member, other] = await Promise.all([s.register(), s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member, other]);
    const [m1, m2] = [await send(s, other, groupId), await send(s, other, groupId)];
    expectProblem(await s.api('DELETE', `/api/v1/messages/${m1.id}`, { token: member.token }), 403);

    const promote = await s.groupsApi('PATCH', `/api/v1/groups/${groupId}/members/${member.id}`, { token: owner.token, body: { role: 'admin' } });
    expect(promote.status).toBe(200);
    await membershipForgotten(groupId, member);
    expect((await s.api('DELETE', `/api/v1/messages/${m1.id}`, { token: member.token })).status).toBe(204);

    const demote = await s.groupsApi('PATCH', `/api/v1/groups/${groupId}/members/${member.id}`, { token: owner.token, body: { role: 'member' } });
    expect(demote.status).toBe(200);
    await membershipForgotten(groupId, member);
    expectProblem(await s.api('DELETE', `/api/v1/messages/${m2.id}`, { token: member.token }), 403);
  });

  it('a deleted group’s conversation becomes inaccessible to everyone, and leaves the chat lists', async () => {
    const [owner, member] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    const direct = await openDirect(s, owner, member);
    await send(s, owner, groupId, 'soon gone');
    await send(s, member, groupId, 'me too');
    expect((await s.groupsApi('DELETE', `/api/v1/groups/${groupId}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => {
      const { rows } = await s.messagesDb.query<{ deleted_at: Date | null }>('SELECT deleted_at FROM conversations WHERE id = $1', [groupId]);
      expect(rows[0]?.deleted_at).toBeTruthy();
    }, WAIT);
    for (const user of [owner, member]) {
      expectProblem(await s.api('GET', `/api/v1/conversations/${groupId}/messages`, { token: user.token }), 404);
      expectProblem(await s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: user.token, body: { body: 'x', clientMessageId: 'x' } }), 404);
      const list = await s.api('GET', '/api/v1/conversations', { token: user.token });
      expect(list.body.items.map((c: any) => c.id)).toEqual([direct]);
      expect(await memberConversationIds(s.messages.context, user.id)).toEqual([direct]);
    }
  });

  it('memberConversationIds lists the direct chats and the groups, and follows removals', async () => {
    const [me, friend, owner] = await Promise.all([s.register(), s.register(), s.register()]);
    const direct = await openDirect(s, me, friend);
    const mine = await createGroup(s, me);
    const theirs = await createGroup(s, owner, [me]);
    expect((await memberConversationIds(s.messages.context, me.id)).sort()).toEqual([direct, mine, theirs].sort());
    await s.groupsApi('DELETE', `/api/v1/groups/${theirs}/members/${me.id}`, { token: owner.token });
    await vi.waitFor(async () => expect((await memberConversationIds(s.messages.context, me.id)).sort()).toEqual([direct, mine].sort()), WAIT);
  });

  it('assertMember answers the conversation and the caller’s role, and 404 for strangers, unknown and malformed ids', async () => {
    const [owner, member, stranger] = await Promise.all([s.register(), s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    const direct = await openDirect(s, owner, member);
    expect(await assertMember(s.messages.context, groupId, owner.id)).toMatchObject({ conversation: { id: groupId, type: 'group' }, role: 'owner' });
    expect(await assertMember(s.messages.context, groupId, member.id)).toMatchObject({ role: 'member' });
    expect(await assertMember(s.messages.context, direct, member.id)).toMatchObject({ conversation: { id: direct, type: 'direct' }, role: null });
    for (const [id, user] of [
      [groupId, stranger],
      [direct, stranger],
      [newId(), owner],
      ['nope', owner],
    ] as const) {
      await expect(assertMember(s.messages.context, id, user.id)).rejects.toMatchObject({ httpStatus: 404 });
    }
  });

  describe('the group.* consumer', () => {
    const publish = (type: string, data: unknown, id = newId()) => {
      const event = { ...makeEvent(type, data, 'groups'), id };
      return s.adapters.bus.publish([event]).then(() => event);
    };
    const row = async (id: string) =>
      (await s.messagesDb.query<{ title: string | null; deleted_at: Date | null }>('SELECT title, deleted_at FROM conversations WHERE id = $1', [id])).rows[0];

    it('applies a redelivered group.created once: one conversation, one conversation.created', async () => {
      const groupId = newId();
      const owner = newId();
      const event = await publish('group.created', { groupId, name: 'Twice', ownerId: owner, memberIds: [owner] });
      await s.adapters.bus.publish([event]);
      await vi.waitFor(async () => expect((await row(groupId))?.title).toBe('Twice'), WAIT);
      await vi.waitFor(async () => {
        const { rows } = await s.messagesDb.query<{ count: number }>(`SELECT count(*) AS count FROM processed_events WHERE event_id = $1`, [event.id]);
        expect(Number(rows[0]!.count)).toBe(1);
      }, WAIT);
      await vi.waitFor(() => expect(s.recorder.of('conversation.created', (d) => d.conversation.id === groupId)).toHaveLength(1), WAIT);
    });

    it('keeps the newer name when group.updated arrives before group.created', async () => {
      const groupId = newId();
      const owner = newId();
      const created = makeEvent('group.created', { groupId, name: 'Original', ownerId: owner, memberIds: [owner] }, 'groups');
      const updated = makeEvent('group.updated', { groupId, changes: { name: 'Renamed' } }, 'groups');
      updated.occurredAt = new Date(Date.parse(created.occurredAt) + 1000).toISOString();
      await s.adapters.bus.publish([updated]);
      await vi.waitFor(async () => expect((await row(groupId))?.title).toBe('Renamed'), WAIT);
      await s.adapters.bus.publish([created]);
      await vi.waitFor(async () => {
        const { rows } = await s.messagesDb.query('SELECT 1 FROM processed_events WHERE event_id = $1', [created.id]);
        expect(rows).toHaveLength(1);
      }, WAIT);
      expect((await row(groupId))?.title).toBe('Renamed');
    });

    it('marks a group deleted even when nothing was known of it', async () => {
      const groupId = newId();
      await publish('group.deleted', { groupId });
      await vi.waitFor(async () => expect((await row(groupId))?.deleted_at).toBeTruthy(), WAIT);
    });

    it('drops a malformed event without retrying or dead-lettering it', async () => {
      const bad = await publish('group.member_removed', { groupId: 'not-a-uuid' });
      const after = await publish('group.deleted', { groupId: newId() });
      await vi.waitFor(async () => {
        const { rows } = await s.messagesDb.query('SELECT 1 FROM processed_events WHERE event_id = $1', [after.id]);
        expect(rows).toHaveLength(1);
      }, WAIT);
      expect((await s.adapters.bus.deadLetters('messages.groups')).map((e) => e.id)).not.toContain(bad.id);
    });
  });
});
