import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessage, CONVERSATION, FakeApi, ME, OTHER } from '../../test/fake-api';
import { keys } from '../api/keys';
import { applyFrame } from '../realtime/apply-frame';
import { fetchReads, seenByMessage, type ReadPositions } from './reads';

const THIRD = '0190a000-0000-7000-8000-0000000000cc';
const position = (userId: string, lastReadSeq: number) => ({ userId, lastReadSeq, readAt: lastReadSeq ? '2026-01-01T12:00:00.000Z' : null });
const readFrame = (userId: string, seq: number) => ({ type: 'read.updated' as const, data: { conversationId: CONVERSATION, userId, seq } });

describe('"seen by": read positions from the API, kept live by read.updated frames', () => {
  let api: FakeApi;
  let stored: ReadPositions;
  beforeEach(() => {
    api = new FakeApi();
    stored = { items: [position(ME, 5), position(OTHER, 3), position(THIRD, 0)] };
    api.on('GET', /^\/api\/v1\/conversations\/([^/]+)\/reads$/, () => ({ status: 200, body: stored }));
    vi.stubGlobal('fetch', api.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  const load = (client: QueryClient) => client.fetchQuery({ queryKey: keys.reads(CONVERSATION), queryFn: () => fetchReads(client, CONVERSATION) });

  it('a fresh page (a reload) knows who has read what from GET /conversations/:id/reads', async () => {
    const client = new QueryClient();
    const reads = await load(client);
    expect(api.callsTo('GET', /\/reads$/)).toHaveLength(1);
    const messages = [buildMessage(1, { senderId: ME }), buildMessage(2), buildMessage(3, { senderId: ME }), buildMessage(4, { senderId: ME })];
    // OTHER read up to 3: under my message 3 (not 4, which they have not reached). THIRD read nothing.
    expect(seenByMessage(messages, reads, ME)).toEqual(new Map([[messages[2]!.id, [OTHER]]]));
  });

  it('read.updated frames move a member forward, never back, and a fetch racing a frame does not undo it', async () => {
    const client = new QueryClient();
    await load(client);
    applyFrame(readFrame(OTHER, 9), { client, myId: ME, viewing: () => null });
    applyFrame(readFrame(OTHER, 7), { client, myId: ME, viewing: () => null }); // late, older
    applyFrame(readFrame(THIRD, 2), { client, myId: ME, viewing: () => null });
    const positions = () => Object.fromEntries(client.getQueryData<ReadPositions>(keys.reads(CONVERSATION))!.items.map((item) => [item.userId, item.lastReadSeq]));
    expect(positions()).toEqual({ [ME]: 5, [OTHER]: 9, [THIRD]: 2 });

    // The server's answer was computed before the frames (OTHER still at 3): the frame stands.
    await client.refetchQueries({ queryKey: keys.reads(CONVERSATION) });
    expect(positions()).toEqual({ [ME]: 5, [OTHER]: 9, [THIRD]: 2 });
  });

  it("lists each member once, under the newest of my messages they reached; deleted ones and others' are skipped", () => {
    const messages = [
      buildMessage(1, { senderId: ME }),
      buildMessage(2, { senderId: ME }),
      buildMessage(3, { senderId: ME, deletedAt: '2026-01-01T13:00:00.000Z' }),
      buildMessage(4),
      buildMessage(5, { senderId: ME }),
    ];
    const reads = { items: [position(ME, 5), position(OTHER, 4), position(THIRD, 5)] };
    expect(seenByMessage(messages, reads, ME)).toEqual(
      new Map([
        [messages[1]!.id, [OTHER]],
        [messages[4]!.id, [THIRD]],
      ]),
    );
    expect(seenByMessage(messages, undefined, ME).size).toBe(0);
  });
});
