import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Json, Message } from '../api/types';

/*
 * Members' read positions, for "seen by": loaded from `GET /conversations/:id/reads` (so a reload
 * still knows who has read what) and moved forward by live `read.updated` frames. A position
 * never goes backwards: a page fetched while a frame arrived cannot undo the frame.
 */

export type ReadPositions = Json<'/api/v1/conversations/{id}/reads'>;
type ReadPosition = ReadPositions['items'][number];

const furthest = (a: ReadPosition, b: ReadPosition | undefined): ReadPosition => (b && b.lastReadSeq > a.lastReadSeq ? b : a);

export async function fetchReads(client: QueryClient, conversationId: string): Promise<ReadPositions> {
  const fetched = await ok(api.GET('/api/v1/conversations/{id}/reads', { params: { path: { id: conversationId } } }));
  const known = new Map(client.getQueryData<ReadPositions>(keys.reads(conversationId))?.items.map((item) => [item.userId, item]));
  return { items: fetched.items.map((item) => furthest(item, known.get(item.userId))) };
}

/** A member read up to `seq` (a `read.updated` frame, or the viewer's own message). Only a loaded list is patched. */
export function applyReadUpdate(client: QueryClient, conversationId: string, userId: string, seq: number, readAt: string | null = null): void {
  client.setQueryData<ReadPositions>(keys.reads(conversationId), (current) => {
    if (!current) return current;
    const existing = current.items.find((item) => item.userId === userId);
    if (existing && existing.lastReadSeq >= seq) return current;
    const updated = { userId, lastReadSeq: seq, readAt: readAt ?? existing?.readAt ?? null };
    return { items: existing ? current.items.map((item) => (item.userId === userId ? updated : item)) : [...current.items, updated] };
  });
}

export function useReadPositions(conversationId: string) {
  const client = useQueryClient();
  return useQuery({ queryKey: keys.reads(conversationId), queryFn: () => fetchReads(client, conversationId) });
}

/**
 * Who has seen which of the viewer's messages: each other member is listed once, under the
 * newest of the viewer's (loaded, not deleted) messages their read position has reached.
 * Returns message id → the readers' user ids.
 */
export function seenByMessage(messages: readonly Message[], reads: ReadPositions | undefined, myId: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  if (!reads) return seen;
  const mine = messages.filter((message) => message.senderId === myId && !message.deletedAt);
  for (const { userId, lastReadSeq } of reads.items) {
    if (userId === myId) continue;
    const message = newestAtOrBefore(mine, lastReadSeq);
    if (message) seen.set(message.id, [...(seen.get(message.id) ?? []), userId]);
  }
  return seen;
}

/** The last message with seq ≤ `seq` in a list sorted by seq (binary search: lists hold thousands). */
function newestAtOrBefore(sorted: readonly Message[], seq: number): Message | undefined {
  let low = 0;
  let high = sorted.length - 1;
  let found: Message | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]!.seq <= seq) {
      found = sorted[middle];
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}
