import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { Message } from '../api/types';
import { isRetryable } from '../api/problem';

/*
 * Messages written but not yet acknowledged by the server, kept in IndexedDB so that neither a
 * network outage nor a reload loses them. Each entry keeps its clientMessageId for life: every
 * attempt (retries, another tab, the next page load) sends the same id, and the server answers a
 * repeated id with the message it already stored (API.md), so a message is delivered exactly
 * once however many attempts it takes. An entry leaves the store only once an answer for it has
 * arrived.
 */

export type OutboxState = 'queued' | 'sending' | 'failed';

export interface OutboxEntry {
  clientMessageId: string;
  conversationId: string;
  senderId: string;
  body: string;
  replyToId: string | null;
  attachmentIds: string[];
  createdAt: string;
  state: OutboxState;
  /** Why the server refused it (state `failed`). */
  error?: string;
}

export type Draft = Pick<OutboxEntry, 'conversationId' | 'body' | 'replyToId' | 'attachmentIds'>;

export interface OutboxOptions {
  /** One IndexedDB store per signed-in user. */
  store: UseStore;
  senderId: string;
  send: (entry: OutboxEntry) => Promise<Message>;
  /** The server's copy arrived: merge it where the optimistic one was. */
  onSent: (entry: OutboxEntry, message: Message) => void;
  /** Several tabs share the queue; the lock keeps them from sending the same entry at once. */
  locks?: Pick<LockManager, 'request'> | undefined;
  newId?: () => string;
  now?: () => Date;
}

type Listener = () => void;

export const outboxStoreFor = (userId: string): UseStore => createStore(`parley-outbox-${userId}`, 'entries');

export class Outbox {
  private list: OutboxEntry[] = [];
  private readonly listeners = new Set<Listener>();
  private flushing: Promise<void> | null = null;
  private again = false;
  private readonly loaded: Promise<void>;

  constructor(private readonly options: OutboxOptions) {
    this.loaded = this.load();
  }

  /** The entries, oldest first (a stable array between changes, for useSyncExternalStore). */
  get snapshot(): readonly OutboxEntry[] {
    return this.list;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  ready(): Promise<void> {
    return this.loaded;
  }

  /** Queues a message (persisted before anything is sent) and tries to send it. */
  async enqueue(draft: Draft): Promise<OutboxEntry> {
    await this.loaded;
    const entry: OutboxEntry = {
      ...draft,
      clientMessageId: this.options.newId?.() ?? crypto.randomUUID(),
      senderId: this.options.senderId,
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
      state: 'queued',
    };
    await set(entry.clientMessageId, entry, this.options.store);
    this.replace(entry);
    void this.flush();
    return entry;
  }

  /** A failed entry goes back in the queue with the same clientMessageId. */
  async retry(clientMessageId: string): Promise<void> {
    const entry = this.list.find((item) => item.clientMessageId === clientMessageId);
    if (!entry) return;
    const queued: OutboxEntry = { ...entry, state: 'queued', error: undefined };
    await set(clientMessageId, queued, this.options.store);
    this.replace(queued);
    await this.flush();
  }

  async discard(clientMessageId: string): Promise<void> {
    await del(clientMessageId, this.options.store);
    this.list = this.list.filter((item) => item.clientMessageId !== clientMessageId);
    this.emit();
  }

  /**
   * Sends queued entries one by one, oldest first, so they keep their order. Stops at the first
   * transient failure (offline, server down): the entry stays queued for the next flush, which
   * the app triggers when the connection is back. A flush requested while one runs is run again
   * after it, never alongside it.
   */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      await this.loaded;
      do {
        this.again = false;
        const locks = this.options.locks;
        await (locks ? locks.request(`parley.outbox.${this.options.senderId}`, () => this.sendQueued()) : this.sendQueued());
      } while (this.again);
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async sendQueued(): Promise<void> {
    // Another tab may have sent some of them while this one waited for the lock.
    await this.load();
    for (const entry of this.list.filter((item) => item.state === 'queued')) {
      this.replace({ ...entry, state: 'sending' });
      try {
        const message = await this.options.send(entry);
        await del(entry.clientMessageId, this.options.store);
        this.list = this.list.filter((item) => item.clientMessageId !== entry.clientMessageId);
        this.emit();
        this.options.onSent(entry, message);
      } catch (error) {
        if (isRetryable(error)) {
          this.replace({ ...entry, state: 'queued' });
          return;
        }
        const failed: OutboxEntry = { ...entry, state: 'failed', error: error instanceof Error ? error.message : String(error) };
        await set(entry.clientMessageId, failed, this.options.store);
        this.replace(failed);
      }
    }
  }

  private async load(): Promise<void> {
    const stored = (await entries<string, OutboxEntry>(this.options.store)).map(([, entry]) => entry);
    // `sending` was in flight when the page went away: its answer is unknown, so send it again (same id).
    this.list = stored.map((entry) => (entry.state === 'sending' ? { ...entry, state: 'queued' as const } : entry)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    this.emit();
  }

  private replace(entry: OutboxEntry): void {
    const index = this.list.findIndex((item) => item.clientMessageId === entry.clientMessageId);
    this.list = index < 0 ? [...this.list, entry] : this.list.map((item, i) => (i === index ? entry : item));
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
