import { describe, expect, it } from 'vitest';
import {
  accountsV1,
  clientFrameSchema,
  eventDataSchemas,
  eventTypes,
  groupsV1,
  InvalidEventError,
  parseClientFrame,
  parseEvent,
  type EventData,
  type EventType,
  type ServerFrame,
} from '../src/index.ts';

const USER = '0192f0c1-6a7b-7c3d-8e9f-0a1b2c3d4e5f';
const OTHER = '0192f0c1-6a7b-7c3d-8e9f-0a1b2c3d4e60';
const CONVERSATION = '0192f0c1-6a7b-7c3d-8e9f-0a1b2c3d4e61';
const MESSAGE = '0192f0c1-6a7b-7c3d-8e9f-0a1b2c3d4e62';

const envelope = <T extends EventType>(type: T, data: EventData<T> | Record<string, unknown>): Record<string, unknown> => ({
  id: '0192f0c1-6a7b-7c3d-8e9f-0a1b2c3d4eff',
  type,
  occurredAt: '2025-01-02T03:04:05.678Z',
  producer: 'accounts',
  data,
});

const message = {
  id: MESSAGE,
  conversationId: CONVERSATION,
  seq: 1,
  senderId: USER,
  body: 'hello @bob',
  clientMessageId: 'c-1',
  replyToId: null,
  attachments: [],
  reactions: [],
  createdAt: '2025-01-02T03:04:05.678Z',
  editedAt: null,
  deletedAt: null,
};

describe('parseEvent', () => {
  it('accepts a valid event and narrows data by type', () => {
    const event = parseEvent(envelope('user.registered', { userId: USER, username: 'alice', displayName: 'Alice' }));
    expect(event.type).toBe('user.registered');
    if (event.type !== 'user.registered') throw new Error('not narrowed');
    expect(event.data.username).toBe('alice');
  });

  it('accepts message.created with optional recipients and keeps unknown message fields', () => {
    const event = parseEvent(envelope('message.created', { message: { ...message, futureField: 42 }, mentions: [OTHER], recipients: [USER, OTHER] }));
    if (event.type !== 'message.created') throw new Error('wrong type');
    expect(event.data.mentions).toEqual([OTHER]);
    expect(event.data.message).toMatchObject({ seq: 1, futureField: 42 });
  });

  it('drops unknown data fields instead of rejecting a newer producer', () => {
    const event = parseEvent(envelope('read.updated', { conversationId: CONVERSATION, userId: USER, seq: 7, extra: true }));
    expect(event.data).toEqual({ conversationId: CONVERSATION, userId: USER, seq: 7 });
  });

  it('rejects an unknown type', () => {
    expect(() => parseEvent(envelope('user.exploded' as EventType, { userId: USER }))).toThrow(/Unknown event type: user.exploded/);
  });

  it('rejects a malformed envelope', () => {
    expect(() => parseEvent({ ...envelope('group.deleted', { groupId: USER }), id: 'nope' })).toThrow(InvalidEventError);
    expect(() => parseEvent({ ...envelope('group.deleted', { groupId: USER }), occurredAt: 'yesterday' })).toThrow(/occurredAt/);
    expect(() => parseEvent('not an object')).toThrow(InvalidEventError);
  });

  it('rejects data that does not fit its type, saying where', () => {
    const bad = envelope('group.member_added', { groupId: USER, userId: OTHER, role: 'king', addedBy: USER });
    try {
      parseEvent(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).message).toMatch(/group.member_added: role/);
      expect((error as InvalidEventError).issues.length).toBeGreaterThan(0);
    }
    expect(() => parseEvent(envelope('read.updated', { conversationId: CONVERSATION, userId: USER, seq: -1 }))).toThrow(/seq/);
    expect(() => parseEvent(envelope('user.updated', { userId: USER, changes: { displayName: 5 } }))).toThrow(/changes.displayName/);
  });

  it('has a schema for every event type the architecture names', () => {
    expect(eventTypes).toEqual(Object.keys(eventDataSchemas));
    for (const type of [
      'user.registered',
      'user.updated',
      'user.status_changed',
      'session.revoked',
      'group.created',
      'group.updated',
      'group.deleted',
      'group.member_added',
      'group.member_removed',
      'group.member_role_changed',
      'message.created',
      'message.updated',
      'message.deleted',
      'reaction.updated',
      'read.updated',
      'conversation.created',
      'contact.added',
      'contact.removed',
    ]) {
      expect(eventTypes).toContain(type);
    }
  });
});

describe('client frames', () => {
  it('parses auth, typing and ping', () => {
    expect(parseClientFrame('{"type":"auth","token":"abc.def.ghi"}')).toEqual({ ok: true, frame: { type: 'auth', token: 'abc.def.ghi' } });
    expect(parseClientFrame(JSON.stringify({ type: 'typing', conversationId: CONVERSATION }))).toEqual({
      ok: true,
      frame: { type: 'typing', conversationId: CONVERSATION },
    });
    expect(clientFrameSchema.parse({ type: 'ping' })).toEqual({ type: 'ping' });
  });

  it('answers bad frames with error data instead of throwing', () => {
    expect(parseClientFrame('{not json')).toEqual({ ok: false, error: { code: 'bad_frame', message: expect.any(String) } });
    expect(parseClientFrame('{"type":"shout"}')).toEqual({ ok: false, error: { code: 'unknown_type', message: expect.any(String) } });
    const badTyping = parseClientFrame('{"type":"typing","conversationId":"x"}');
    expect(badTyping.ok).toBe(false);
    if (!badTyping.ok) expect(badTyping.error).toMatchObject({ code: 'bad_frame', message: expect.stringMatching(/conversationId/) });
    expect(parseClientFrame('{"type":"auth","token":""}').ok).toBe(false);
  });

  it('types server frames by their type', () => {
    const frames: ServerFrame[] = [
      { type: 'ready', data: { userId: USER, sessionId: OTHER } },
      { type: 'pong' },
      { type: 'error', data: { code: 'bad_frame', message: 'no' } },
      { type: 'read.updated', data: { conversationId: CONVERSATION, userId: USER, seq: 3 } },
      { type: 'message.created', data: { message, mentions: [] } },
    ];
    expect(frames.map((frame) => frame.type)).toEqual(['ready', 'pong', 'error', 'read.updated', 'message.created']);
  });
});

describe('generated gRPC code', () => {
  it('round-trips a message through protobuf, keeping optional fields absent', () => {
    const user = accountsV1.User.fromPartial({ id: USER, username: 'alice', displayName: 'Alice', status: 'online' });
    const decoded = accountsV1.User.decode(accountsV1.User.encode(user).finish());
    expect(decoded).toEqual({ ...user, avatarUrl: undefined, lastSeenAt: undefined, bio: '' });
    expect(accountsV1.UsersService.getUsers.path).toBe('/accounts.v1.Users/GetUsers');
    expect(Object.keys(groupsV1.GroupsService)).toEqual(['getMembership', 'listMembers', 'listUserGroups']);
  });
});
