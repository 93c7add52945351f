import { QueryClient } from '@tanstack/react-query';
import { createStore } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildMessage, CONVERSATION, FakeApi, ME } from '../../test/fake-api';
import { ApiError } from '../api/problem';
import { keys } from '../api/keys';
import type { Message } from '../api/types';
import { buildRows } from '../screens/Conversation';
import { applyLiveMessage } from './history';
import { Outbox, type OutboxEntry } from './outbox';
import { withLiveMessage, type Timeline } from './timeline';

/** The messages API's send, with its idempotency: the same clientMessageId answers the stored message. */
function fakeServer() {
  const api = new FakeApi();
  const stored = new Map<string, Message>();
  let seq = 10;
  let failNext: number | null = null;
  api.on('POST', /^\/api\/v1\/conversations\/([^/]+)\/messages$/, (call) => {
    if (failNext !== null) {
      const status = failNext;
      failNext = null;
      return { status, body: { title: 'refused', detail: 'The body is too long.' } };
    }
    const body = call.body as { body: string; clientMessageId: string; replyToId: string | null };
    const existing = stored.get(body.clientMessageId);
    if (existing) return { status: 200, body: existing };
    seq += 1;
    const message = buildMessage(seq, { senderId: ME, body: body.body, clientMessageId: body.clientMessageId, replyToId: body.replyToId });
    stored.set(body.clientMessageId, message);
    return { status: 201, body: message };
  });
  const send = async (entry: OutboxEntry): Promise<Message> => {
    const response = await api.fetch(`/api/v1/conversations/${entry.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: entry.body, clientMessageId: entry.clientMessageId, replyToId: entry.replyToId }),
    });
    if (!response.ok) throw new ApiError(response.status, (await response.json()) as object);
    return (await response.json()) as Message;
  };
  return { api, stored, send, refuseNext: (status: number) => (failNext = status) };
}

let dbName = 0;
function makeOutbox(server: ReturnType<typeof fakeServer>, client: QueryClient, name: string) {
  return new Outbox({
    store: createStore(name, 'entries'),
    senderId: ME,
    send: server.send,
    onSent: (_entry, message) => applyLiveMessage(client, message),
  });
}

const draft = (body: string) => ({ conversationId: CONVERSATION, body, replyToId: null, attachmentIds: [] });
const rowsOf = (client: QueryClient, outbox: Outbox) => buildRows(client.getQueryData<Timeline>(keys.timeline(CONVERSATION))!.items, outbox.snapshot);

describe('optimistic send and the offline outbox', () => {
  let name: string;
  let client: QueryClient;
  beforeEach(() => {
    dbName += 1;
    name = `outbox-test-${dbName}`;
    client = new QueryClient();
    client.setQueryData<Timeline>(keys.timeline(CONVERSATION), { items: [buildMessage(10)], hasOlder: false, hasNewer: false });
  });

  it('shows a message at once, then exactly once as the server stored it', async () => {
    const server = fakeServer();
    const outbox = makeOutbox(server, client, name);
    server.api.offline = true;
    await outbox.enqueue(draft('hello'));
    await outbox.flush();

    const pending = rowsOf(client, outbox);
    expect(pending.map((row) => [row.message.body, row.pending?.state])).toEqual([
      ['message 10', undefined],
      ['hello', 'queued'],
    ]);

    server.api.offline = false;
    await outbox.flush();
    const rows = rowsOf(client, outbox);
    expect(rows.map((row) => [row.message.body, row.pending?.state, row.message.seq])).toEqual([
      ['message 10', undefined, 10],
      ['hello', undefined, 11],
    ]);
    expect(outbox.snapshot).toHaveLength(0);
  });

  it('when the live frame of the sent message arrives before the POST answer, the message still shows once', async () => {
    const server = fakeServer();
    const outbox = makeOutbox(server, client, name);
    server.api.offline = true;
    const entry = await outbox.enqueue(draft('racing'));
    await outbox.flush();
    // The server stored it (an earlier attempt whose answer was lost) and its frame arrives first.
    const stored = buildMessage(11, { senderId: ME, body: 'racing', clientMessageId: entry.clientMessageId });
    server.stored.set(entry.clientMessageId, stored);
    applyLiveMessage(client, stored);
    expect(rowsOf(client, outbox).filter((row) => row.message.body === 'racing')).toHaveLength(1);

    server.api.offline = false;
    await outbox.flush();
    expect(rowsOf(client, outbox).filter((row) => row.message.body === 'racing')).toHaveLength(1);
    expect(server.stored.size).toBe(1);
  });

  it('keeps queued messages across a reload and sends each exactly once, with the same clientMessageId on every attempt', async () => {
    const server = fakeServer();
    const first = makeOutbox(server, client, name);
    server.api.offline = true;
    const a = await first.enqueue(draft('one'));
    const b = await first.enqueue(draft('two'));
    await first.flush();
    await first.flush();

    // The page reloads: a new outbox over the same IndexedDB store.
    server.api.offline = false;
    const second = makeOutbox(server, client, name);
    await second.ready();
    expect(second.snapshot.map((entry) => entry.clientMessageId)).toEqual([a.clientMessageId, b.clientMessageId]);
    await Promise.all([second.flush(), second.flush(), second.flush()]);

    expect(server.stored.size).toBe(2);
    const posted = server.api.callsTo('POST', /messages$/).map((call) => (call.body as { clientMessageId: string }).clientMessageId);
    expect(posted).toEqual([a.clientMessageId, b.clientMessageId]);
    expect([...server.stored.values()].map((message) => message.body)).toEqual(['one', 'two']);

    // And nothing is left to send after the next reload.
    const third = makeOutbox(server, client, name);
    await third.ready();
    expect(third.snapshot).toHaveLength(0);
  });

  it('when an attempt was in flight as the page went away, the next load sends it again and the server keeps one copy', async () => {
    const server = fakeServer();
    const first = makeOutbox(server, client, name);
    const entry = await first.enqueue(draft('maybe sent'));
    await first.flush();
    expect(server.stored.size).toBe(1);
    // Simulate the answer being lost: put the entry back as if it were still `sending`.
    const { set } = await import('idb-keyval');
    await set(entry.clientMessageId, { ...entry, state: 'sending' }, createStore(name, 'entries'));

    const second = makeOutbox(server, client, name);
    await second.flush();
    expect(server.api.callsTo('POST', /messages$/)).toHaveLength(2);
    expect(server.stored.size).toBe(1);
    expect(second.snapshot).toHaveLength(0);
    expect(rowsOf(client, second).filter((row) => row.message.body === 'maybe sent')).toHaveLength(1);
  });

  it('when the server refuses a message, it stays with its error and a retry sends the same clientMessageId', async () => {
    const server = fakeServer();
    const outbox = makeOutbox(server, client, name);
    server.refuseNext(400);
    const entry = await outbox.enqueue(draft('refused once'));
    await outbox.flush();
    expect(outbox.snapshot[0]).toMatchObject({ state: 'failed', error: 'The body is too long.' });
    expect(rowsOf(client, outbox).at(-1)?.pending?.state).toBe('failed');

    await outbox.retry(entry.clientMessageId);
    expect(outbox.snapshot).toHaveLength(0);
    const posted = server.api.callsTo('POST', /messages$/).map((call) => (call.body as { clientMessageId: string }).clientMessageId);
    expect(posted).toEqual([entry.clientMessageId, entry.clientMessageId]);
    expect(rowsOf(client, outbox).at(-1)?.message.body).toBe('refused once');
  });

  it('a live message of someone else is merged alongside the pending one without disturbing it', () => {
    const timeline: Timeline = { items: [buildMessage(10)], hasOlder: false, hasNewer: false };
    const live = withLiveMessage(timeline, buildMessage(11)).timeline;
    const pending: OutboxEntry = {
      ...draft('mine'),
      clientMessageId: 'c1',
      senderId: ME,
      createdAt: new Date().toISOString(),
      queuedAt: Date.now(),
      state: 'sending',
    };
    expect(buildRows(live.items, [pending]).map((row) => row.key)).toEqual([buildMessage(10).id, buildMessage(11).id, 'pending:c1']);
  });
});
