import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessage, CONVERSATION, FakeApi, ME, serveHistory } from '../../test/fake-api';
import { keys } from '../api/keys';
import type { Message } from '../api/types';
import { applyFrame } from '../realtime/apply-frame';
import { applyLiveMessage, fetchNewest, fillAllGaps, loadAround, loadOlder } from './history';
import { mergeMessages, withLiveMessage, type Timeline } from './timeline';

const range = (from: number, to: number, overrides: Partial<Message> = {}) => Array.from({ length: to - from + 1 }, (_, i) => buildMessage(from + i, overrides));
const seqs = (timeline: Timeline | undefined) => timeline?.items.map((message) => message.seq) ?? [];

describe('merging live and fetched pages', () => {
  it('keeps one copy of a message that arrives both live and in a page, in seq order', () => {
    const page = range(1, 5);
    const live = [buildMessage(5), buildMessage(6), buildMessage(3)];
    expect(mergeMessages(page, live).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never undoes a deletion or an edit with an older copy of the message', () => {
    const original = buildMessage(4);
    const deleted = { ...original, body: '', deletedAt: '2026-01-01T13:00:00.000Z' };
    expect(mergeMessages([deleted], [original])[0]?.deletedAt).not.toBeNull();
    const edited = { ...original, body: 'edited', editedAt: '2026-01-01T13:00:00.000Z' };
    expect(mergeMessages([edited], [original])[0]?.body).toBe('edited');
    expect(mergeMessages([original], [edited])[0]?.body).toBe('edited');
  });

  it('reports a gap when a live message skips seqs, and ignores live messages while the stretch is not the newest', () => {
    const timeline: Timeline = { items: range(1, 3), hasOlder: false, hasNewer: false };
    expect(withLiveMessage(timeline, buildMessage(4)).gapAfter).toBeUndefined();
    expect(withLiveMessage(timeline, buildMessage(7)).gapAfter).toBe(3);
    const jumped = { ...timeline, hasNewer: true };
    expect(seqs(withLiveMessage(jumped, buildMessage(9)).timeline)).toEqual([1, 2, 3]);
  });
});

describe('history in the query cache', () => {
  let api: FakeApi;
  let stored: Message[];
  let client: QueryClient;
  beforeEach(() => {
    api = new FakeApi();
    stored = range(1, 120);
    serveHistory(api, () => stored);
    vi.stubGlobal('fetch', api.fetch);
    client = new QueryClient();
  });
  afterEach(() => vi.unstubAllGlobals());

  it('prepends older pages while live messages keep arriving at the end, showing nothing twice', async () => {
    client.setQueryData(keys.timeline(CONVERSATION), await fetchNewest(CONVERSATION));
    expect(seqs(client.getQueryData(keys.timeline(CONVERSATION)))).toEqual(range(71, 120).map((m) => m.seq));

    stored.push(buildMessage(121));
    applyLiveMessage(client, buildMessage(121));
    applyLiveMessage(client, buildMessage(121)); // the same frame twice (two sockets, a retry)
    await loadOlder(client, CONVERSATION);
    await loadOlder(client, CONVERSATION);
    await loadOlder(client, CONVERSATION); // nothing older: no call

    const timeline = client.getQueryData<Timeline>(keys.timeline(CONVERSATION))!;
    expect(seqs(timeline)).toEqual(range(1, 121).map((m) => m.seq));
    expect(timeline.hasOlder).toBe(false);
    expect(api.callsTo('GET', /messages$/)).toHaveLength(3);
  });

  it("after a reconnect, fetches every loaded conversation's gap by seq, following the cursor, and dedupes what also came live", async () => {
    const other = '0190a000-0000-7000-8000-0000000000c2';
    stored = range(1, 10);
    client.setQueryData(keys.timeline(CONVERSATION), await fetchNewest(CONVERSATION));
    client.setQueryData<Timeline>(keys.timeline(other), { items: [], hasOlder: false, hasNewer: false });
    // While the socket was down, 450 messages were sent; one of them also arrives live late.
    stored = range(1, 460);
    applyLiveMessage(client, buildMessage(300));

    await fillAllGaps(client);

    const timeline = client.getQueryData<Timeline>(keys.timeline(CONVERSATION))!;
    expect(seqs(timeline)).toEqual(range(1, 460).map((m) => m.seq));
    expect(new Set(timeline.items.map((message) => message.id)).size).toBe(460);
    const gapCalls = api.callsTo('GET', new RegExp(`${CONVERSATION}/messages$`)).filter((call) => call.query.has('after'));
    expect(gapCalls.map((call) => call.query.get('after'))).toEqual(['10', '210', '410']);
    // The fake serves one history for every id: the empty conversation is filled from seq 0.
    expect(api.callsTo('GET', new RegExp(`${other}/messages$`)).map((call) => call.query.get('after'))).toEqual(['0', '200', '400']);
  });

  it('a live message.created that skips seqs fetches the missing ones', async () => {
    stored = range(1, 5);
    client.setQueryData(keys.timeline(CONVERSATION), await fetchNewest(CONVERSATION));
    stored = range(1, 9);
    applyFrame({ type: 'message.created', data: { message: buildMessage(9), mentions: [] } }, { client, myId: ME, viewing: () => CONVERSATION });
    await vi.waitFor(() => expect(seqs(client.getQueryData(keys.timeline(CONVERSATION)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('a jump to an old message loads the stretch around it; live messages wait until it reaches the newest', async () => {
    client.setQueryData(keys.timeline(CONVERSATION), await fetchNewest(CONVERSATION));
    await loadAround(client, CONVERSATION, 20);
    const timeline = client.getQueryData<Timeline>(keys.timeline(CONVERSATION))!;
    expect(seqs(timeline)).toEqual(range(1, 45).map((m) => m.seq));
    expect(timeline.hasNewer).toBe(true);
    applyLiveMessage(client, buildMessage(121));
    expect(seqs(client.getQueryData(keys.timeline(CONVERSATION))).at(-1)).toBe(45);
  });
});
