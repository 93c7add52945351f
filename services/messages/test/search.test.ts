import { randomUUID } from 'node:crypto';
import { adapterKinds, expectProblem, type ApiResponse } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

/** Three services start in beforeAll; on a busy machine that takes a while. */
const STARTUP_TIMEOUT_MS = 180_000;

describe.each(adapterKinds())('message search (%s)', (kind) => {
  let s: MessagesStack;
  let alice: StackUser;
  let bob: StackUser;
  let carol: StackUser;
  let groupId: string;
  let directId: string;
  let carolsGroupId: string;
  /** The messages sent in beforeAll, by a short name. */
  const sent: Record<string, any> = {};

  const search = (user: StackUser, params: Record<string, string>): Promise<ApiResponse> =>
    s.api('GET', `/api/v1/search/messages?${new URLSearchParams(params).toString()}`, { token: user.token });

  /** The ids of the hits, asserting a 200. */
  const hitIds = async (user: StackUser, params: Record<string, string>): Promise<string[]> => {
    const res = await search(user, params);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items.map((hit: any) => hit.message.id as string);
  };

  beforeAll(async () => {
    s = await startMessagesStack(kind);
    [alice, bob, carol] = await Promise.all([s.register(), s.register(), s.register()]);
    groupId = await createGroup(s, alice, [bob], 'Team');
    directId = await openDirect(s, alice, bob);
    carolsGroupId = await createGroup(s, carol, [], 'Carol alone');
    // One after the other: "newest first" is the order they are sent in.
    sent.reportsRu = await send(s, alice, groupId, 'Отправил квартальные отчёты бухгалтеру');
    sent.meetingsEn = await send(s, bob, groupId, 'Weekly meetings moved to Friday');
    sent.html = await send(s, alice, groupId, `<script>alert('x')</script> meeting & "notes"`);
    sent.reportDirect = await send(s, alice, directId, 'Отчёт по проекту готов');
    sent.carolSecret = await send(s, carol, carolsGroupId, 'Secret meetings and отчёты nobody else sees');
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await s?.stop();
  });

  describe('matching', () => {
    it('when a Russian word is searched, its inflected forms are found', async () => {
      expect(await hitIds(alice, { q: 'отчёт' })).toEqual([sent.reportDirect.id, sent.reportsRu.id]);
      expect(await hitIds(alice, { q: 'отчеты' })).toEqual([sent.reportDirect.id, sent.reportsRu.id]);
    });

    it('when an English word is searched, its inflected forms are found', async () => {
      expect(await hitIds(alice, { q: 'meeting' })).toEqual([sent.html.id, sent.meetingsEn.id]);
    });

    it('when part of a word is searched, the words containing it are found', async () => {
      expect(await hitIds(alice, { q: 'meet' })).toEqual([sent.html.id, sent.meetingsEn.id]);
      expect(await hitIds(alice, { q: 'отч' })).toEqual([sent.reportDirect.id, sent.reportsRu.id]);
      expect(await hitIds(alice, { q: 'вартальн' })).toEqual([sent.reportsRu.id]);
    });

    it('when a query has fewer than 3 characters, only whole words match', async () => {
      expect(await hitIds(alice, { q: 'me' })).toEqual([]);
    });

    it('when a phrase is quoted, it is matched as a phrase', async () => {
      expect(await hitIds(alice, { q: '"weekly meetings"' })).toEqual([sent.meetingsEn.id]);
      expect(await hitIds(alice, { q: '"meetings weekly"' })).toEqual([]);
    });

    it('answers hits shaped {message, snippet, conversationId}, newest first', async () => {
      const res = await search(alice, { q: 'meeting' });
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items[0]).toMatchObject({
        conversationId: groupId,
        message: { id: sent.html.id, conversationId: groupId, senderId: alice.id, seq: sent.html.seq, body: sent.html.body },
        snippet: expect.any(String),
      });
    });
  });

  describe('snippets', () => {
    it('when a whole word matched, the snippet marks it', async () => {
      const res = await search(alice, { q: 'meetings', conversationId: groupId, senderId: bob.id });
      expect(res.body.items[0].snippet).toBe('Weekly <mark>meetings</mark> moved to Friday');
    });

    it('when part of a word matched, the snippet marks that part', async () => {
      const res = await search(alice, { q: 'вартальн' });
      expect(res.body.items[0].snippet).toBe('Отправил к<mark>вартальн</mark>ые отчёты бухгалтеру');
    });

    it('when the message holds HTML, the snippet escapes it and only <mark> is markup', async () => {
      for (const q of ['meeting', 'scrip', 'alert']) {
        const res = await search(alice, { q, conversationId: groupId, senderId: alice.id });
        const hit = res.body.items.find((h: any) => h.message.id === sent.html.id);
        expect(hit, q).toBeDefined();
        const text = hit.snippet.replaceAll('<mark>', '').replaceAll('</mark>', '');
        expect(text).toContain('&lt;script&gt;');
        expect(text).not.toMatch(/[<>]/);
        expect(hit.snippet).toMatch(/<mark>[^<]+<\/mark>/);
        // The message itself is the plain text, unescaped.
        expect(hit.message.body).toBe(sent.html.body);
      }
    });

    it('when the query looks like markup, the snippet still carries no markup but <mark>', async () => {
      const res = await search(alice, { q: '<script>' });
      expect(res.status).toBe(200);
      for (const hit of res.body.items) expect(hit.snippet.replaceAll('<mark>', '').replaceAll('</mark>', '')).not.toMatch(/[<>]/);
    });
  });

  describe('scope and filters', () => {
    it("when others' conversations hold matches, the caller never sees them", async () => {
      expect(await hitIds(alice, { q: 'secret' })).toEqual([]);
      expect(await hitIds(carol, { q: 'meetings' })).toEqual([sent.carolSecret.id]);
    });

    it('when filtered by conversation, only that conversation is searched', async () => {
      expect(await hitIds(alice, { q: 'отчёт', conversationId: directId })).toEqual([sent.reportDirect.id]);
      expect(await hitIds(alice, { q: 'отчёт', conversationId: groupId })).toEqual([sent.reportsRu.id]);
    });

    it('when filtered by a conversation the caller is not in, it answers 404 (as for an unknown one)', async () => {
      expectProblem(await search(alice, { q: 'meetings', conversationId: carolsGroupId }), 404);
      expectProblem(await search(alice, { q: 'meetings', conversationId: randomUUID() }), 404);
    });

    it('when filtered by sender, only their messages are found', async () => {
      expect(await hitIds(alice, { q: 'meeting', senderId: bob.id })).toEqual([sent.meetingsEn.id]);
      expect(await hitIds(alice, { q: 'meeting', senderId: alice.id })).toEqual([sent.html.id]);
    });

    it('when filtered by date, only messages within before/after are found', async () => {
      const at = (m: any) => m.createdAt as string;
      expect(await hitIds(alice, { q: 'отчёт', before: at(sent.reportDirect) })).toEqual([sent.reportsRu.id]);
      expect(await hitIds(alice, { q: 'отчёт', after: at(sent.reportsRu) })).toEqual([sent.reportDirect.id]);
      expect(await hitIds(alice, { q: 'отчёт', after: '2000-01-01', before: '2999-12-31T23:59:59+03:00' })).toHaveLength(2);
      expect(await hitIds(alice, { q: 'отчёт', before: '2000-01-01' })).toEqual([]);
    });

    it('when a message is deleted, search no longer finds it', async () => {
      const word = `zebra${Date.now()}`;
      const message = await send(s, alice, groupId, `the ${word} crossed`);
      expect(await hitIds(bob, { q: word })).toEqual([message.id]);
      expect((await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: alice.token })).status).toBe(204);
      expect(await hitIds(bob, { q: word })).toEqual([]);
      expect(await hitIds(bob, { q: word.slice(0, 8) })).toEqual([]);
    });

    it('when a message is edited, search finds its new text, not the old', async () => {
      const message = await send(s, alice, groupId, 'original aardvark text');
      const edited = await s.api('PATCH', `/api/v1/messages/${message.id}`, { token: alice.token, body: { body: 'changed pangolin text' } });
      expect(edited.status).toBe(200);
      expect(await hitIds(bob, { q: 'aardvark' })).toEqual([]);
      expect(await hitIds(bob, { q: 'pangolin' })).toEqual([message.id]);
    });

    it('pages with limit and nextCursor, newest first, without repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await search(alice, { q: 'отч', limit: '1', ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(1);
        seen.push(...res.body.items.map((h: any) => h.message.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([sent.reportDirect.id, sent.reportsRu.id]);
    });

    it('when a member is removed from the group, their search stops showing its messages', async () => {
      const dave = await s.register();
      const team = await createGroup(s, alice, [dave], 'Short-lived');
      const message = await send(s, alice, team, 'Планёрка перенесена, ocelot');
      expect(await hitIds(dave, { q: 'ocelot' })).toEqual([message.id]);
      expect(await hitIds(dave, { q: 'планёрка', conversationId: team })).toEqual([message.id]);

      const removed = await s.groupsApi('DELETE', `/api/v1/groups/${team}/members/${dave.id}`, { token: alice.token });
      expect(removed.status).toBe(204);
      await vi.waitFor(async () => expect(await hitIds(dave, { q: 'ocelot' })).toEqual([]), { timeout: 15_000, interval: 100 });
      expectProblem(await search(dave, { q: 'ocelot', conversationId: team }), 404);
      expect(await hitIds(alice, { q: 'ocelot' })).toEqual([message.id]);
    });
  });

  describe('bad and hostile input', () => {
    it.each([
      ['a double quote', '"'],
      ['unbalanced quotes', '"meeting'],
      ['single quotes', "'''"],
      ['tsquery operators', '&|!():*'],
      ['operators around words', '!(meeting | отчёт) & <-> :* ::'],
      ['a prefix operator', 'meet:*'],
      ['backslashes', '\\\\\\'],
      ['LIKE wildcards', '%_%'],
      ['a percent sign', '100%'],
      ['only punctuation', '!!!???...'],
      ['stop words only', 'the and of'],
      ['markup', '<img src=x onerror=alert(1)>'],
      ['SQL', "'; DROP TABLE messages; --"],
      ['emoji', '🎉🎉🎉'],
      ['a regular expression', '.*(a+)+$'],
      ['200 characters', 'я'.repeat(200)],
      ['a long mixed query', 'meeting отчёт '.repeat(14)],
    ])('when the query is %s, it answers 200', async (_what, q) => {
      const res = await search(alice, { q });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(Array.isArray(res.body.items)).toBe(true);
    });

    it.each([
      ['empty', ''],
      ['only spaces', '    '],
      ['5,000 characters', 'a'.repeat(5000)],
      ['201 characters', 'b'.repeat(201)],
      ['a NUL character', 'meet\u0000ing'],
    ])('when the query is %s, it answers 400 naming q', async (_what, q) => {
      expectProblem(await search(alice, { q }), 400, ['querystring.q']);
    });

    it('when q is missing, it answers 400', async () => {
      expectProblem(await search(alice, {}), 400, ['querystring.q']);
    });

    it.each([
      ['limit', { limit: '0' }],
      ['limit', { limit: '201' }],
      ['limit', { limit: 'ten' }],
      ['before', { before: 'yesterday' }],
      ['after', { after: '2025-13-45' }],
      ['senderId', { senderId: 'not-a-uuid' }],
      ['conversationId', { conversationId: '../../etc' }],
    ])('when %s is not valid (%j), it answers 400', async (field, params) => {
      expectProblem(await search(alice, { q: 'meeting', ...params }), 400, [`querystring.${field}`]);
    });

    it.each(['garbage', Buffer.from('m:not-an-id').toString('base64url'), 'x'.repeat(201)])('when the cursor is %j, it answers 400', async (cursor) => {
      const res = await search(alice, { q: 'meeting', cursor });
      expectProblem(res, 400);
    });

    it('when there is no token, it answers 401', async () => {
      expectProblem(await s.api('GET', '/api/v1/search/messages?q=meeting'), 401);
    });
  });

  it('the OpenAPI document describes search and files', async () => {
    const res = await s.api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/search/messages', '/api/v1/files', '/api/v1/files/{id}', '/api/v1/files/{id}/thumbnail']),
    );
  });
});
