import type { QueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Message } from '../api/types';
import { contiguousEndOf, emptyTimeline, firstSeqOf, fromNewestPage, lastSeqOf, withLiveMessage, withNewerPage, withOlderPage, type Timeline } from './timeline';

/*
 * Loading a conversation's history into the query cache (key `timeline/<id>`), and resuming it:
 * the fetch side of timeline.ts. Every page goes through mergeMessages, so pages and live
 * frames may overlap in any order and nothing shows twice.
 */

const PAGE = 50;
const GAP_PAGE = 200;

type Page = { items: Message[]; nextCursor: string | null };

const history = (conversationId: string, query: { before?: number; after?: number; limit: number }): Promise<Page> =>
  ok(api.GET('/api/v1/conversations/{id}/messages', { params: { path: { id: conversationId }, query } }));

export async function fetchNewest(conversationId: string): Promise<Timeline> {
  return fromNewestPage(await history(conversationId, { limit: PAGE }));
}

const read = (client: QueryClient, conversationId: string): Timeline | undefined => client.getQueryData<Timeline>(keys.timeline(conversationId));
const write = (client: QueryClient, conversationId: string, change: (timeline: Timeline) => Timeline): void => {
  client.setQueryData<Timeline>(keys.timeline(conversationId), (timeline) => (timeline ? change(timeline) : timeline));
};

export async function loadOlder(client: QueryClient, conversationId: string): Promise<void> {
  const timeline = read(client, conversationId);
  const before = timeline && firstSeqOf(timeline);
  if (!timeline?.hasOlder || before === undefined) return;
  const page = await history(conversationId, { before, limit: PAGE });
  write(client, conversationId, (current) => withOlderPage(current, page));
}

/** Scrolling down a stretch loaded around an old message, towards the newest. */
export async function loadNewer(client: QueryClient, conversationId: string): Promise<void> {
  const timeline = read(client, conversationId);
  if (!timeline?.hasNewer) return;
  const page = await history(conversationId, { after: lastSeqOf(timeline), limit: PAGE });
  write(client, conversationId, (current) => withNewerPage(current, page));
}

const gapFills = new Map<string, Promise<void>>();

/**
 * Fetches everything after the last message loaded without a hole (docs/realtime.md,
 * "Resuming"): `?after=`, oldest first, following nextCursor until it is null. One fill per conversation at a time; a
 * second caller joins the running one.
 */
export function fillGap(client: QueryClient, conversationId: string): Promise<void> {
  const running = gapFills.get(conversationId);
  if (running) return running;
  const fill = (async () => {
    const timeline = read(client, conversationId);
    if (!timeline || timeline.hasNewer) return;
    let after: number | null = contiguousEndOf(timeline);
    while (after !== null) {
      const page = await history(conversationId, { after, limit: GAP_PAGE });
      write(client, conversationId, (current) => withNewerPage(current, page));
      after = page.nextCursor === null ? null : Number(page.nextCursor);
    }
  })().finally(() => gapFills.delete(conversationId));
  gapFills.set(conversationId, fill);
  return fill;
}

/** After any reconnect (or a `resync` frame): fill the gap of every conversation whose history is loaded. */
export async function fillAllGaps(client: QueryClient): Promise<void> {
  const loaded = client.getQueriesData<Timeline>({ queryKey: ['timeline'] });
  await Promise.allSettled(loaded.map(([key]) => fillGap(client, String(key[1]))));
}

/** A live message: merged in, and a gap behind it fetched. */
export function applyLiveMessage(client: QueryClient, message: Message): void {
  const timeline = read(client, message.conversationId);
  if (!timeline) return;
  const result = withLiveMessage(timeline, message);
  client.setQueryData(keys.timeline(message.conversationId), result.timeline);
  if (result.gapAfter !== undefined) void fillGap(client, message.conversationId).catch(() => undefined);
}

/** Loads the stretch around an old message (a search hit) unless it is already loaded. */
export async function loadAround(client: QueryClient, conversationId: string, seq: number): Promise<void> {
  const timeline = read(client, conversationId);
  if (timeline?.items.some((message) => message.seq === seq)) return;
  const [above, below] = await Promise.all([
    history(conversationId, { before: seq + 1, limit: PAGE / 2 }),
    history(conversationId, { after: seq, limit: PAGE / 2 }),
  ]);
  const around = withNewerPage(withOlderPage({ ...emptyTimeline, hasNewer: true }, above), below);
  client.setQueryData(keys.timeline(conversationId), { ...around, hasNewer: below.nextCursor !== null });
}
