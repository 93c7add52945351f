import type { Db } from '@parley/kit';
import type { SendAccess } from '../db/access.ts';
import { sendMessageRow, sendMessageRows, type SendInput, type SendOutcome } from '../db/message.repository.ts';

/**
 * Group commit of plain sends. A send goes to the database at once while fewer than
 * MAX_IN_FLIGHT calls are running; the sends that arrive meanwhile wait for one to finish and
 * then go together, in one send_messages() call: one round trip and one commit for all of them.
 * Nothing waits on a timer, so a lone send is as fast as before; under load the batches grow by
 * themselves. If a batch fails as a whole (one item's error rolls all back), its sends are
 * retried one by one, so each gets its own answer.
 *
 * A conversation is in at most one call at a time: a send waits while another call holds sends
 * of its conversation. Its seqs are then answered here in the order they were taken, so the
 * live frames, published as the answers come in, leave in `seq` order. Two calls of the same
 * conversation would race: the second waits on the first's row lock, but both answers can reach
 * this process in the same turn of the event loop and be handled the other way round (clients
 * then saw frames out of order, and fetched a gap that was not one).
 */

/** Most sends per call: bounds how long one batch holds its conversations' row locks. */
const MAX_BATCH = 64;
/** Calls running at once (each on its own connection). */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  access: SendAccess;
  input: SendInput;
  resolve: (outcome: SendOutcome) => void;
  reject: (error: unknown) => void;
}

export type BatchedSend = (access: SendAccess, input: SendInput) => Promise<SendOutcome>;

/** The batcher of a service instance: app.ts makes one and puts it in the context (ctx.sendBatched). */
export function createSendBatcher(db: Db): BatchedSend {
  let queue: Waiting[] = [];
  let inFlight = 0;
  /** Conversations with sends in a running call. */
  const busy = new Set<string>();

  /** Up to MAX_BATCH waiting sends whose conversations no running call holds, in arrival order. */
  const takeBatch = (): Waiting[] => {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of queue) {
      if (batch.length < MAX_BATCH && !busy.has(w.access.conversation.id)) batch.push(w);
      else rest.push(w);
    }
    queue = rest;
    return batch;
  };

  const one = (w: Waiting): Promise<void> => sendMessageRow(db, w.access, w.input).then(w.resolve, w.reject);

  const many = async (batch: Waiting[]): Promise<void> => {
    // By conversation (stable, so one conversation's sends keep their order): every batch locks
    // conversation rows in the same order, so two batches cannot deadlock.
    const sorted = [...batch].sort((a, b) => compare(a.access.conversation.id, b.access.conversation.id));
    let outcomes: SendOutcome[];
    try {
      outcomes = await sendMessageRows(db, sorted);
    } catch {
      await Promise.all(sorted.map(one));
      return;
    }
    sorted.forEach((w, i) => w.resolve(outcomes[i]!));
  };

  const pump = (): void => {
    while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
      const batch = takeBatch();
      if (batch.length === 0) return; // every waiting send's conversation is in a running call
      const conversations = new Set(batch.map((w) => w.access.conversation.id));
      for (const id of conversations) busy.add(id);
      inFlight++;
      void (batch.length === 1 ? one(batch[0]!) : many(batch)).finally(() => {
        for (const id of conversations) busy.delete(id);
        inFlight--;
        pump();
      });
    }
  };

  return (access, input) =>
    new Promise<SendOutcome>((resolve, reject) => {
      queue.push({ access, input, resolve, reject });
      pump();
    });
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
