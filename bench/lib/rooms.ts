/**
 * The traffic of the fault benches: users in rooms (one group conversation each), a client
 * socket per user, paced sends with a clientMessageId (retried as a real client retries them),
 * and the final account: history against what was acknowledged and what every client has.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, setupCall } from './api.ts';
import { paced } from './paced.ts';
import { inParallel } from './parallel.ts';
import { RealtimeClient, type ClientUser } from './realtime-client.ts';

/** Every bench user's password. */
export const PASSWORD = 'bench-password-1';

export interface Rooms {
  users: ClientUser[];
  /** Members by room; the first is the room's owner and default sender. */
  members: ClientUser[][];
  conversationIds: string[];
}

export async function setUpRooms(api: string, prefix: string, rooms: number, roomSize: number): Promise<Rooms> {
  const users: ClientUser[] = await inParallel(
    Array.from({ length: rooms * roomSize }, (_, i) => i),
    6,
    async (i) => {
      const username = `${prefix}_u${String(i).padStart(5, '0')}`;
      const body = await setupCall(api, 'POST', '/api/v1/auth/register', undefined, { username, email: `${username}@example.test`, password: PASSWORD });
      return { id: body.user.id, username, token: body.accessToken, room: Math.floor(i / roomSize) };
    },
  );
  const members = Array.from({ length: rooms }, (_, r) => users.slice(r * roomSize, (r + 1) * roomSize));
  const conversationIds = await inParallel(members, 8, async (room, r) => {
    const group = await setupCall(api, 'POST', '/api/v1/groups', room[0]!.token, { name: `room ${r}`, memberIds: room.slice(1).map((m) => m.id) });
    await setupCall(api, 'GET', `/api/v1/conversations/${group.id}`, room[0]!.token);
    return group.id as string;
  });
  return { users, members, conversationIds };
}

/** A socket per user, spread over the notifications instances round robin. */
export async function connectClients(api: string, rooms: Rooms, ports: readonly number[]): Promise<RealtimeClient[]> {
  const clients = rooms.users.map((user, i) => new RealtimeClient(api, user, rooms.conversationIds[user.room]!, ports, i));
  await inParallel(clients, 50, (client) => client.openWithRetries());
  return clients;
}

export interface Sent {
  id: string;
  room: number;
  clientMessageId: string;
}

export interface SendLog {
  attempted: number;
  /** Sends the client saw succeed (201, or 200 for a resend that found the first). */
  acknowledged: Sent[];
  /** Sends given up: anything but success after the retries (or at once without retries). */
  failed: Record<string, number>;
  /** Attempts beyond the first (network errors, 5xx). */
  retries: number;
  /** Resends answered 200: the first attempt committed but its answer never arrived. */
  committedUnanswered: number;
  /** The HTTP statuses (or `network`) of failed attempts, retried or not. */
  attemptFailures: Record<string, number>;
}

export interface SendPlan {
  api: string;
  rooms: Rooms;
  total: number;
  /** Messages per second over all rooms. */
  rate: number;
  /** A unique prefix of this run's clientMessageIds. */
  tag: string;
  /** Retry network errors and 5xx with the same clientMessageId, for up to this long. 0: never. */
  retryForMs?: number;
  /** Who sends in a room: default its first member; `n` is the message's number. */
  senderOf?: (room: number, n: number) => ClientUser;
  /** Stop sending (before `total`) once this answers true. */
  until?: () => boolean;
}

export function newSendLog(): SendLog {
  return { attempted: 0, acknowledged: [], failed: {}, retries: 0, committedUnanswered: 0, attemptFailures: {} };
}

/** A send log as a result file reports it: counts, not the acknowledged messages themselves. */
export function sendTotals(sendLog: SendLog) {
  const { attempted, failed, retries, committedUnanswered, attemptFailures } = sendLog;
  return { attempted, acknowledged: sendLog.acknowledged.length, failed, retries, committedUnanswered, attemptFailures };
}

/** Sends `total` messages at `rate`, round robin over the rooms; resolves when every send has ended. */
export async function sendPaced(plan: SendPlan, sendLog: SendLog = newSendLog()): Promise<SendLog> {
  const rooms = plan.rooms.conversationIds.length;
  await paced(
    plan.rate,
    plan.total,
    (n) => {
      const room = n % rooms;
      const sender = plan.senderOf?.(room, n) ?? plan.rooms.members[room]![0]!;
      return sendOne(plan, sendLog, room, sender, `${plan.tag}-${n}`);
    },
    plan.until,
  );
  return sendLog;
}

async function sendOne(plan: SendPlan, sendLog: SendLog, room: number, sender: ClientUser, clientMessageId: string): Promise<void> {
  sendLog.attempted += 1;
  const giveUpAt = performance.now() + (plan.retryForMs ?? 0);
  for (let attempt = 0; ; attempt += 1) {
    let outcome: string;
    let retryAfterMs = 0;
    try {
      const res = await call(plan.api, 'POST', `/api/v1/conversations/${plan.rooms.conversationIds[room]}/messages`, sender.token, {
        body: `m ${clientMessageId}`,
        clientMessageId,
      });
      if (res.status === 201 || res.status === 200) {
        sendLog.acknowledged.push({ id: res.json.id, room, clientMessageId });
        if (res.status === 200 && attempt > 0) sendLog.committedUnanswered += 1;
        return;
      }
      outcome = String(res.status);
      retryAfterMs = Number(res.headers.get('retry-after') ?? 0) * 1000;
      if (res.status < 500) {
        sendLog.failed[outcome] = (sendLog.failed[outcome] ?? 0) + 1;
        return;
      }
    } catch {
      outcome = 'network';
    }
    sendLog.attemptFailures[outcome] = (sendLog.attemptFailures[outcome] ?? 0) + 1;
    if (performance.now() >= giveUpAt) {
      sendLog.failed[outcome] = (sendLog.failed[outcome] ?? 0) + 1;
      return;
    }
    sendLog.retries += 1;
    await sleep(Math.max(retryAfterMs, Math.min(2000, 100 * 2 ** attempt)) * (0.5 + Math.random() / 2));
  }
}

export interface Account {
  /** Messages in history, over all rooms. */
  stored: number;
  /** Acknowledged sends whose message is not in history: must be 0. */
  acknowledgedNotStored: number;
  /** clientMessageIds stored more than once (a retried send stored twice): must be 0. */
  storedTwice: number;
  /** Rooms whose history seqs are not 1..n. */
  roomsWithSeqHoles: number;
  /** (message in history, room member) pairs the member's client does not have: must be 0. */
  missing: number;
  /** Clients whose messages, in seq order, are not history's order (ids at the same seqs). */
  clientsOutOfHistoryOrder: number;
}

/** Reads every room's whole history and holds it against the acknowledgements and the clients. */
export async function account(api: string, rooms: Rooms, clients: readonly RealtimeClient[], sendLog: SendLog): Promise<Account> {
  const histories = await inParallel(rooms.conversationIds, 4, (id, r) => history(api, id, rooms.members[r]![0]!.token));
  const storedIds = new Set(histories.flat().map((m) => m.id));
  let storedTwice = 0;
  let roomsWithSeqHoles = 0;
  for (const messages of histories) {
    const byClientId = new Set<string>();
    for (const m of messages) {
      if (byClientId.has(m.clientMessageId)) storedTwice += 1;
      byClientId.add(m.clientMessageId);
    }
    if (messages.some((m, i) => m.seq !== i + 1)) roomsWithSeqHoles += 1;
  }
  let missing = 0;
  let clientsOutOfHistoryOrder = 0;
  for (const client of clients) {
    const messages = histories[client.user.room]!;
    let inOrder = true;
    for (const m of messages) {
      const seq = client.seen.get(m.id);
      if (seq === undefined) missing += 1;
      else if (seq !== m.seq) inOrder = false;
    }
    if (!inOrder || client.seen.size > messages.length) clientsOutOfHistoryOrder += 1;
  }
  return {
    stored: storedIds.size,
    acknowledgedNotStored: sendLog.acknowledged.filter((s) => !storedIds.has(s.id)).length,
    storedTwice,
    roomsWithSeqHoles,
    missing,
    clientsOutOfHistoryOrder,
  };
}

interface Stored {
  id: string;
  seq: number;
  clientMessageId: string;
}

async function history(api: string, conversationId: string, token: string): Promise<Stored[]> {
  const all: Stored[] = [];
  let after: string | null = '0';
  while (after !== null) {
    const page: any = await setupCall(api, 'GET', `/api/v1/conversations/${conversationId}/messages?after=${after}`, token);
    all.push(...page.items);
    after = page.nextCursor;
  }
  return all;
}

/** (acknowledged message, client of its room) pairs the client does not have. */
export function missingPairs(clients: readonly RealtimeClient[], sent: readonly Sent[]): number {
  let missing = 0;
  for (const message of sent) for (const client of clients) if (client.user.room === message.room && !client.seen.has(message.id)) missing += 1;
  return missing;
}

/** Waits until no client misses an acknowledged message of its room, or `timeoutMs` is over; the time taken, ms. */
export async function drain(clients: readonly RealtimeClient[], sendLog: SendLog, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (missingPairs(clients, sendLog.acknowledged) > 0 && performance.now() - started < timeoutMs) await sleep(250);
  return Math.round(performance.now() - started);
}

/** The machine's load when a run ended: each result carries it. */
export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').trim();
