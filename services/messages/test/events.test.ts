import { parseEvent, type AnyEvent } from '@parley/contracts';
import { adapterKinds } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };

/** What a client of `viewer` holds: the group's messages (with `me`), read marks, and its chat list. */
interface State {
  messages: Record<string, any>;
  reads: Record<string, number>;
  conversations: string[];
}

const byEmoji = (reactions: any[]) => [...reactions].sort((x, y) => (x.emoji < y.emoji ? -1 : x.emoji > y.emoji ? 1 : 0));

/** A client's reducer: the state after one event, as the WebSocket client would compute it. */
function applyEvent(state: State, event: AnyEvent, viewerId: string): State {
  const next: State = structuredClone(state);
  switch (event.type) {
    case 'message.created':
      next.messages[event.data.message.id] = { ...event.data.message, reactions: [] };
      break;
    case 'message.updated': {
      const previous = next.messages[event.data.message.id];
      next.messages[event.data.message.id] = {
        ...event.data.message,
        reactions: event.data.message.reactions.map((r) => ({
          emoji: r.emoji,
          count: r.count,
          me: previous?.reactions.find((p: any) => p.emoji === r.emoji)?.me ?? false,
        })),
      };
      break;
    }
    case 'message.deleted': {
      const message = next.messages[event.data.messageId];
      if (message) Object.assign(message, { body: '', deletedAt: event.data.deletedAt, attachments: [], reactions: [] });
      break;
    }
    case 'reaction.updated': {
      const message = next.messages[event.data.messageId];
      if (!message) break;
      const { emoji, count, userId, action } = event.data;
      const existing = message.reactions.find((r: any) => r.emoji === emoji);
      if (count === 0) message.reactions = message.reactions.filter((r: any) => r.emoji !== emoji);
      else if (existing) {
        existing.count = count;
        if (userId === viewerId) existing.me = action === 'added';
      } else message.reactions.push({ emoji, count, me: userId === viewerId && action === 'added' });
      break;
    }
    case 'read.updated':
      next.reads[event.data.userId] = event.data.seq;
      break;
    case 'conversation.created':
      if (event.data.memberIds.includes(viewerId)) next.conversations = [...new Set([...next.conversations, event.data.conversation.id])].sort();
      break;
    default:
      throw new Error(`unexpected event ${event.type}`);
  }
  return next;
}

describe.each(adapterKinds())('event consistency (%s)', (kind) => {
  let s: MessagesStack;
  let owner: StackUser;
  let member: StackUser;
  let stranger: StackUser;
  let groupId: string;

  beforeAll(async () => {
    s = await startMessagesStack(kind);
    [owner, member, stranger] = await Promise.all([s.register(), s.register(), s.register()]);
    groupId = await createGroup(s, owner, [member], 'Events');
    await send(s, owner, groupId, 'warm-up');
    // Let the group's own conversation.created settle, so only the calls under test emit.
    await vi.waitFor(async () => {
      const { rows } = await s.messagesDb.query<{ title: string | null }>('SELECT title FROM conversations WHERE id = $1', [groupId]);
      expect(rows[0]?.title).toBe('Events');
    }, WAIT);
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  const readState = async (): Promise<State> => {
    const history = await s.api('GET', `/api/v1/conversations/${groupId}/messages?after=0&limit=200`, { token: owner.token });
    expect(history.status).toBe(200);
    const reads: Record<string, number> = {};
    for (const user of [owner, member]) {
      reads[user.id] = (await s.api('GET', `/api/v1/conversations/${groupId}`, { token: user.token })).body.lastReadSeq;
    }
    const list = await s.api('GET', '/api/v1/conversations?limit=200', { token: owner.token });
    return {
      messages: Object.fromEntries(history.body.items.map((m: any) => [m.id, { ...m, reactions: byEmoji(m.reactions) }])),
      reads,
      conversations: list.body.items.map((c: any) => c.id).sort(),
    };
  };

  const outboxIds = async (): Promise<Set<string>> => new Set((await s.messagesDb.query<{ id: string }>('SELECT id FROM outbox')).rows.map((r) => r.id));

  /**
   * Runs a state-changing call and checks that the events it wrote (exactly `types`), as
   * delivered over the bus and valid by the contracts, turn the state before into the state after.
   */
  const expectConsistent = async (types: string[], call: () => Promise<{ status: number; body?: unknown }>, expectedStatus: number) => {
    const before = await readState();
    const known = await outboxIds();
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).toBe(expectedStatus);
    const { rows } = await s.messagesDb.query<{ id: string; type: string }>('SELECT id, type FROM outbox ORDER BY id');
    const emitted = rows.filter((r) => !known.has(r.id));
    expect(emitted.map((e) => e.type)).toEqual(types);
    await vi.waitFor(() => expect(emitted.every((e) => s.recorder.events.some((d) => d.id === e.id))).toBe(true), WAIT);
    const delivered = emitted.map((e) => parseEvent(s.recorder.events.find((d) => d.id === e.id)));
    const applied = delivered.reduce((state, event) => applyEvent(state, event, owner.id), before);
    for (const message of Object.values(applied.messages)) message.reactions = byEmoji(message.reactions);
    expect(applied).toEqual(await readState());
  };

  const post = (user: StackUser, body: Record<string, unknown>) => s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: user.token, body });

  it('sending, resending, replying with a mention', async () => {
    const first = await (async () => {
      let message: any;
      await expectConsistent(
        ['message.created'],
        async () => {
          const res = await post(member, { body: 'first', clientMessageId: 'ev-1' });
          message = res.body;
          return res;
        },
        201,
      );
      return message;
    })();
    await expectConsistent([], () => post(member, { body: 'first', clientMessageId: 'ev-1' }), 200);
    await expectConsistent(['message.created'], () => post(owner, { body: `@${member.username} see`, clientMessageId: 'ev-2', replyToId: first.id }), 201);
  });

  it('sending with an attachment', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('plain words')], { type: 'text/plain' }), 'note.txt');
    const uploaded = await s.api('POST', '/api/v1/files', { token: owner.token, raw: form });
    expect(uploaded.status).toBe(201);
    await expectConsistent(['message.created'], () => post(owner, { body: 'with a file', clientMessageId: 'ev-file', attachmentIds: [uploaded.body.id] }), 201);
  });

  it('editing, and editing to the same body', async () => {
    const message = await send(s, member, groupId, 'draft');
    await expectConsistent(['message.updated'], () => s.api('PATCH', `/api/v1/messages/${message.id}`, { token: member.token, body: { body: 'final' } }), 200);
    await expectConsistent([], () => s.api('PATCH', `/api/v1/messages/${message.id}`, { token: member.token, body: { body: 'final' } }), 200);
  });

  it('reacting, reacting again, taking back; editing a message that has reactions', async () => {
    const message = await send(s, member, groupId, 'react to me');
    const react = (user: StackUser, emoji: string, method = 'PUT') =>
      s.api(method, `/api/v1/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`, { token: user.token });
    await expectConsistent(['reaction.updated'], () => react(owner, '🎉'), 204);
    await expectConsistent(['reaction.updated'], () => react(member, '🎉'), 204);
    await expectConsistent([], () => react(owner, '🎉'), 204);
    await expectConsistent(['reaction.updated'], () => react(member, '🙏'), 204);
    await expectConsistent(['message.updated'], () => s.api('PATCH', `/api/v1/messages/${message.id}`, { token: member.token, body: { body: 'edited' } }), 200);
    await expectConsistent(['reaction.updated'], () => react(owner, '🎉', 'DELETE'), 204);
    await expectConsistent([], () => react(owner, '🎉', 'DELETE'), 204);
    await expectConsistent(['reaction.updated'], () => react(member, '🙏', 'DELETE'), 204);
  });

  it('deleting (reactions and attachments hidden), and deleting again', async () => {
    const message = await send(s, member, groupId, 'to delete');
    await s.api('PUT', `/api/v1/messages/${message.id}/reactions/${encodeURIComponent('❌')}`, { token: owner.token });
    await expectConsistent(['message.deleted'], () => s.api('DELETE', `/api/v1/messages/${message.id}`, { token: owner.token }), 204);
    await expectConsistent([], () => s.api('DELETE', `/api/v1/messages/${message.id}`, { token: owner.token }), 204);
  });

  it('marking read, forwards and backwards', async () => {
    const last = await send(s, owner, groupId, 'read me');
    await expectConsistent(
      ['read.updated'],
      () => s.api('POST', `/api/v1/conversations/${groupId}/read`, { token: member.token, body: { seq: last.seq - 1 } }),
      204,
    );
    await expectConsistent([], () => s.api('POST', `/api/v1/conversations/${groupId}/read`, { token: member.token, body: { seq: 1 } }), 204);
    await expectConsistent(['read.updated'], () => s.api('POST', `/api/v1/conversations/${groupId}/read`, { token: member.token, body: { seq: 10_000 } }), 204);
    await expectConsistent(['read.updated'], () => s.api('POST', `/api/v1/conversations/${groupId}/read`, { token: owner.token, body: { seq: last.seq } }), 204);
  });

  it('opening a direct conversation, and opening it again', async () => {
    await expectConsistent(
      ['conversation.created'],
      () => s.api('POST', '/api/v1/conversations/direct', { token: owner.token, body: { userId: stranger.id } }),
      201,
    );
    await expectConsistent([], () => s.api('POST', '/api/v1/conversations/direct', { token: stranger.token, body: { userId: owner.id } }), 200);
  });

  it('refused calls emit nothing and change nothing', async () => {
    const message = await send(s, member, groupId, 'untouchable');
    await expectConsistent([], () => s.api('PATCH', `/api/v1/messages/${message.id}`, { token: owner.token, body: { body: 'not yours' } }), 403);
    await expectConsistent([], () => post(stranger, { body: 'intruder', clientMessageId: 'x' }), 404);
    await expectConsistent([], () => post(member, { body: '', clientMessageId: 'x' }), 400);
  });
});
