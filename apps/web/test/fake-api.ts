import type { Message } from '../src/api/types';

/*
 * A stand-in for the platform's REST API in component tests: fetch is replaced by a router
 * over (method, path) that records every call. The real client code (openapi-fetch, the auth
 * wrapper, the outbox) runs unchanged on top of it.
 */

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | null;
}

type Handler = (call: Call, match: RegExpExecArray) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export class FakeApi {
  readonly calls: Call[] = [];
  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  /** When set, every request fails as if the network were down. */
  offline = false;

  on(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.unshift({ method, pattern, handler });
    return this;
  }

  callsTo(method: string, pattern: RegExp): Call[] {
    return this.calls.filter((call) => call.method === method && pattern.test(call.path));
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost:3000'), init);
    if (this.offline) throw new TypeError('Failed to fetch');
    const url = new URL(request.url);
    const text = await request.text();
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
      authorization: request.headers.get('authorization'),
    };
    this.calls.push(call);
    for (const route of this.routes) {
      const match = route.method === call.method ? route.pattern.exec(call.path) : null;
      if (!match) continue;
      const answer = await route.handler(call, match);
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' },
      });
    }
    return new Response(JSON.stringify({ title: 'Not Found', status: 404 }), { status: 404, headers: { 'content-type': 'application/problem+json' } });
  };
}

let counter = 0;
export const CONVERSATION = '0190a000-0000-7000-8000-000000000001';
export const ME = '0190a000-0000-7000-8000-0000000000aa';
export const OTHER = '0190a000-0000-7000-8000-0000000000bb';

export function buildMessage(seq: number, overrides: Partial<Message> = {}): Message {
  counter += 1;
  return {
    id: `0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    conversationId: CONVERSATION,
    seq,
    senderId: OTHER,
    body: `message ${seq}`,
    clientMessageId: `client-${seq}-${counter}`,
    replyToId: null,
    attachments: [],
    reactions: [],
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...overrides,
  };
}

/** A conversation's stored history served the way the messages API pages it (before: newest first, after: oldest first). */
export function serveHistory(api: FakeApi, messages: () => Message[]): void {
  api.on('GET', /^\/api\/v1\/conversations\/([^/]+)\/messages$/, (call) => {
    const limit = Number(call.query.get('limit') ?? 50);
    const all = [...messages()].sort((a, b) => a.seq - b.seq);
    const after = call.query.get('after');
    const before = call.query.get('before');
    if (after !== null) {
      const items = all.filter((message) => message.seq > Number(after)).slice(0, limit);
      const more = all.filter((message) => message.seq > Number(after)).length > limit;
      return { status: 200, body: { items, nextCursor: more ? String(items.at(-1)!.seq) : null } };
    }
    const below = before === null ? all : all.filter((message) => message.seq < Number(before));
    const items = below.slice(-limit).reverse();
    return { status: 200, body: { items, nextCursor: below.length > limit ? String(items.at(-1)!.seq) : null } };
  });
}
