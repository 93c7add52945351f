/**
 * Seeding the bench's long conversation through the public API, robustly on a loaded machine:
 * several sends in flight, each with a clientMessageId fixed for its index, so a send retried
 * after a refusal (429, 5xx) or a broken connection is answered with the message already stored
 * and never makes a second one. Retries back off exponentially with jitter; the conversation's
 * newest seq is checked at the end (exactly `count` messages, no more, no fewer).
 */
import { createHash } from 'node:crypto';
import { api, ApiError, sendMessage, type ApiUser } from '../../apps/web/e2e/support/api.ts';
import { inParallel } from '../lib/parallel.ts';

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const MAX_ATTEMPTS = 12;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;

/** A UUID-shaped id derived from the run and the index: the same send always carries the same id. */
function clientMessageIdFor(runId: string, index: number): string {
  const hex = createHash('sha256').update(`${runId}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A refusal worth trying again (the machine is busy), or a connection that broke before the answer. */
const retryable = (error: unknown): boolean => (error instanceof ApiError ? RETRYABLE.has(error.status) : error instanceof TypeError);

async function withRetry<T>(send: () => Promise<T>, onRetry: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!retryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      onRetry();
      const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }
}

export interface SeedResult {
  seconds: number;
  retries: number;
  perSecond: number;
}

export async function seedConversation(options: {
  baseUrl: string;
  conversationId: string;
  senders: ApiUser[];
  count: number;
  concurrency: number;
  body: (index: number) => string;
  log: (line: string) => void;
}): Promise<SeedResult> {
  const { baseUrl, conversationId, senders, count, concurrency, body, log } = options;
  const runId = `${conversationId}:${Date.now()}`;
  const started = performance.now();
  let retries = 0;
  let done = 0;
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      await withRetry(
        () => sendMessage(baseUrl, senders[i % senders.length]!, conversationId, body(i), { clientMessageId: clientMessageIdFor(runId, i) }),
        () => retries++,
      );
      done++;
      if (done % 1000 === 0) log(`seeded ${done} of ${count} (${retries} retries so far)`);
    },
  );
  const newest = await api<{ items: { seq: number }[] }>(baseUrl, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=1`, {
    token: senders[0]!.accessToken,
  });
  if (newest.items[0]?.seq !== count) throw new Error(`seeding ended with the newest seq at ${newest.items[0]?.seq}, expected ${count}`);
  const seconds = (performance.now() - started) / 1000;
  return { seconds: Math.round(seconds * 10) / 10, retries, perSecond: Math.round(count / seconds) };
}
