import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { adapterKinds, expectProblem } from '@parley/kit/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanUnreferencedFiles } from '../src/domain/clean-unreferenced-files.ts';
import { createGroup, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

/** Small, so "too large" needs no big upload. */
const FILE_MAX_BYTES = 64 * 1024;
const BOUNDARY = '----parley-test-boundary';

interface Part {
  field?: string;
  /** Sent as filename="…" (raw bytes of the string). */
  filename?: string;
  /** Sent as filename*=UTF-8''… (already percent-encoded), which the parser decodes. */
  encodedFilename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body written by hand, so names can be anything a hostile client sends. */
function multipart(...parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.field ?? 'file'}"`;
    if (part.filename !== undefined) disposition += `; filename="${part.filename}"`;
    if (part.encodedFilename !== undefined) disposition += `; filename*=UTF-8''${part.encodedFilename}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n`));
    if (part.contentType) chunks.push(Buffer.from(`Content-Type: ${part.contentType}\r\n`));
    chunks.push(Buffer.from('\r\n'), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const png = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#3366ff' } })
    .png()
    .toBuffer();

/** Three services start in beforeAll; on a busy machine that takes a while. */
const STARTUP_TIMEOUT_MS = 180_000;

describe.each(adapterKinds())('files (%s)', (kind) => {
  let s: MessagesStack;
  let alice: StackUser;
  let bob: StackUser;
  let carol: StackUser;
  let groupId: string;
  let image: Buffer;

  const upload = (user: StackUser | undefined, body: Buffer | string, contentType = `multipart/form-data; boundary=${BOUNDARY}`) =>
    s.api('POST', '/api/v1/files', { ...(user ? { token: user.token } : {}), raw: body, headers: { 'content-type': contentType } });

  /** Uploads one file; throws unless 201. */
  const uploaded = async (user: StackUser, part: Part): Promise<any> => {
    const res = await upload(user, multipart(part));
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  const download = async (user: StackUser | undefined, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${s.messagesUrl}${path}`, { headers: { ...headers, ...(user ? { authorization: `Bearer ${user.token}` } : {}) } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  };

  /** What is in the files folder: blobs and any leftover temporary upload. */
  const blobs = (): string[] => readdirSync(s.filesDir).sort();

  beforeAll(async () => {
    s = await startMessagesStack(kind, { messagesEnv: { FILE_MAX_BYTES: String(FILE_MAX_BYTES) } });
    [alice, bob, carol] = await Promise.all([s.register(), s.register(), s.register()]);
    groupId = await createGroup(s, alice, [bob], 'Files');
    image = await png(800, 600);
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    // Every request has been answered by now. Node can keep counting a keep-alive connection
    // as busy after an early answer to an upload (seen under load), which makes close() wait
    // for the 72 s keep-alive timeout; drop the connections so the stack stops at once.
    s?.messages.http.server.closeAllConnections();
    await s?.stop();
  });

  describe('uploads', () => {
    it('when a PNG is uploaded, it answers 201 with its sniffed type and a 320px WebP thumbnail', async () => {
      const res = await upload(alice, multipart({ filename: 'photo.png', contentType: 'image/png', data: image }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'photo.png',
        size: image.length,
        contentType: 'image/png',
        url: `/api/v1/files/${res.body.id}`,
        thumbnailUrl: `/api/v1/files/${res.body.id}/thumbnail`,
      });
      const thumbnail = await download(alice, res.body.thumbnailUrl);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/webp');
      const meta = await sharp(thumbnail.bytes).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: 320, height: 240 });
      const original = await download(alice, res.body.url);
      expect(original.bytes.equals(image)).toBe(true);
    });

    it('when a file is not an image, it has no thumbnail (404)', async () => {
      const file = await uploaded(alice, { filename: 'notes.txt', data: 'just some notes' });
      expect(file.thumbnailUrl).toBeUndefined();
      expectProblemStatus(await download(alice, `/api/v1/files/${file.id}/thumbnail`), 404);
    });

    it('when an image is corrupt, it is stored without a thumbnail', async () => {
      const broken = Buffer.concat([image.subarray(0, 200), Buffer.alloc(500, 7)]);
      const file = await uploaded(alice, { filename: 'broken.png', data: broken });
      expect(file).toMatchObject({ contentType: 'image/png', size: broken.length });
      expect(file.thumbnailUrl).toBeUndefined();
    });

    it('when the file is larger than FILE_MAX_BYTES, it answers 413 and nothing is left on disk', async () => {
      const before = blobs();
      const res = await upload(alice, multipart({ filename: 'big.bin', data: Buffer.alloc(FILE_MAX_BYTES * 3, 1) }));
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(blobs()).toEqual(before);
    });

    it('when the file is exactly FILE_MAX_BYTES, it is accepted', async () => {
      const file = await uploaded(alice, { filename: 'exact.bin', data: Buffer.alloc(FILE_MAX_BYTES, 1) });
      expect(file.size).toBe(FILE_MAX_BYTES);
    });

    it('when the request carries two files, it answers 400 naming file and nothing is left on disk', async () => {
      const before = blobs();
      const res = await upload(alice, multipart({ filename: 'one.txt', data: 'first' }, { filename: 'two.txt', data: 'second' }));
      expectProblemStatus(res, 400);
      expect(res.body.errors['body.file']).toBeDefined();
      expect(blobs()).toEqual(before);
      // A form field after the file is not a second file: still one upload.
      expect((await upload(alice, multipart({ filename: 'one.txt', data: 'first' }, { field: 'note', data: 'hi' }))).status).toBe(201);
    });

    it('when the file has zero bytes, it answers 400 and nothing is left on disk', async () => {
      const before = blobs();
      const res = await upload(alice, multipart({ filename: 'empty.txt', data: '' }));
      expectProblemStatus(res, 400);
      expect(res.body.errors['body.file']).toBeDefined();
      expect(blobs()).toEqual(before);
    });

    it.each([
      ['an empty body', ''],
      ['a form without a file', multipart({ field: 'note', data: 'hello' })],
      ['a file in another field', multipart({ field: 'attachment', filename: 'x.txt', data: 'hello' })],
      ['a cut-off multipart body', multipart({ filename: 'x.txt', data: 'hello' }).subarray(0, 60)],
      ['a file part without a filename', multipart({ data: 'no filename given' })],
      ['a filename* with a newline', multipart({ encodedFilename: 'bad%0Aname.txt', data: 'x' })],
      ['a body without the closing boundary', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc`)],
    ])('when the upload is %s, it answers 400', async (_what, body) => {
      const res = await upload(alice, body);
      expectProblemStatus(res, 400);
    });

    it.each([
      ['JSON', 'application/json', JSON.stringify({ file: 'x' })],
      ['multipart without a boundary', 'multipart/form-data', multipart({ filename: 'x.txt', data: 'x' })],
      ['multipart with another boundary', 'multipart/form-data; boundary=other', multipart({ filename: 'x.txt', data: 'x' })],
      ['plain bytes', 'application/octet-stream', Buffer.from('raw bytes')],
    ])('when the body is %s, it answers 400 or 415, never 500', async (_what, contentType, body) => {
      const res = await upload(alice, body, contentType);
      expect([400, 415], JSON.stringify(res.body)).toContain(res.status);
    });

    it('when the blob of a file has gone missing, its download answers 404', async () => {
      const file = await uploaded(alice, { filename: 'lost.txt', data: 'lost' });
      rmSync(join(s.filesDir, file.id));
      expectProblemStatus(await download(alice, file.url), 404);
    });

    it('when there is no token, it answers 401', async () => {
      expectProblemStatus(await upload(undefined, multipart({ filename: 'x.txt', data: 'x' })), 401);
    });

    it('when HTML is declared as a PNG, it is stored as text/plain and downloads as an attachment', async () => {
      const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
      const file = await uploaded(alice, { filename: 'cute-cat.png', contentType: 'image/png', data: html });
      expect(file.contentType).toBe('text/plain');
      expect(file.thumbnailUrl).toBeUndefined();
      const res = await download(alice, file.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(res.bytes.toString()).toBe(html);
    });

    it.each([
      ['an SVG with a script', 'drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      ['XHTML as XML', 'page.xml', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
    ])('when the file is %s, it is never served as an active type nor inline', async (_what, name, content) => {
      const file = await uploaded(alice, { filename: name, contentType: 'image/svg+xml', data: content });
      expect(file.contentType).toBe('text/plain');
      const res = await download(alice, file.url);
      expect(res.headers.get('content-type')).not.toMatch(/svg|xml|html/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    });

    it('when the content is unknown binary, it is application/octet-stream', async () => {
      const file = await uploaded(alice, { filename: 'blob.dat', data: Buffer.from([0, 1, 2, 3, 250, 251, 0, 9]) });
      expect(file.contentType).toBe('application/octet-stream');
    });

    it.each([
      ['a path', { filename: '../../etc/passwd' }, 'passwd'],
      ['an encoded path', { encodedFilename: '..%2F..%2Fetc%2Fpasswd' }, 'passwd'],
      ['a Windows path', { encodedFilename: '..%5C..%5Cwindows%5Cwin.ini' }, 'win.ini'],
      ['encoded control characters', { encodedFilename: 'bad%01name%1B%5B31m%7F%09x.txt' }, 'badname[31m x.txt'],
      ['raw control characters', { filename: 'nul\u0000and\u0007bell.txt' }, 'nulandbell.txt'],
      ['a bidi override', { encodedFilename: 'invoice%E2%80%AEfdp.exe' }, 'invoicefdp.exe'],
      ['a leading dot', { filename: '.bashrc' }, 'bashrc'],
      ['only dots', { filename: '..' }, 'file'],
      ['an empty name', { filename: '' }, 'file'],
      ['a Cyrillic name', { encodedFilename: encodeURIComponent('Отчёт за май.txt') }, 'Отчёт за май.txt'],
    ])('when the name holds %s, it is sanitised', async (_what, name, expected) => {
      const file = await uploaded(alice, { ...name, data: 'content' });
      expect(file.name).toBe(expected);
      const res = await download(alice, file.url);
      expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(expected)}`);
    });

    it('when the name is very long, it is cut to 200 characters keeping the extension', async () => {
      const file = await uploaded(alice, { filename: `${'n'.repeat(400)}.txt`, data: 'content' });
      expect(file.name).toHaveLength(200);
      expect(file.name.endsWith('.txt')).toBe(true);
    });
  });

  describe('downloads', () => {
    it('when the uploader downloads, it answers the bytes with safe headers', async () => {
      const file = await uploaded(alice, { encodedFilename: encodeURIComponent('report "final".pdf'), data: '%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n' });
      expect(file.contentType).toBe('application/pdf');
      const res = await download(alice, file.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-length')).toBe(String(file.size));
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="report _final_.pdf"; filename*=UTF-8''${encodeURIComponent('report "final".pdf')}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(res.headers.get('cache-control')).toBe('private, no-cache');
    });

    it('when the file is a raster image, it is served inline', async () => {
      const file = await uploaded(alice, { filename: 'inline.png', data: image });
      const res = await download(alice, file.url);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toMatch(/^inline; .*filename\*=UTF-8''inline\.png$/);
    });

    it('when nobody shared it, others get 404 (as for an unknown id)', async () => {
      const file = await uploaded(alice, { filename: 'private.txt', data: 'mine alone' });
      expectProblemStatus(await download(bob, file.url), 404);
      expectProblemStatus(await download(bob, `/api/v1/files/${file.id}/thumbnail`), 404);
      expectProblemStatus(await download(alice, `/api/v1/files/${randomUUID()}`), 404);
      expectProblemStatus(await download(alice, '/api/v1/files/not-an-id'), 404);
      expectProblemStatus(await download(undefined, file.url), 401);
    });

    it('when shared in a group, members download it, outsiders get 404', async () => {
      const file = await uploaded(alice, { filename: 'shared.png', data: image });
      const message = await send(s, alice, groupId, 'see attached', { attachmentIds: [file.id] });
      expect(message.attachments).toEqual([
        expect.objectContaining({ id: file.id, name: 'shared.png', size: image.length, contentType: 'image/png', url: file.url }),
      ]);
      const asBob = await download(bob, file.url);
      expect(asBob.status).toBe(200);
      expect(asBob.bytes.equals(image)).toBe(true);
      expect((await download(bob, file.thumbnailUrl)).status).toBe(200);
      expectProblemStatus(await download(carol, file.url), 404);
      expectProblemStatus(await download(carol, file.thumbnailUrl), 404);
    });

    it('when a member is removed from the group, their next download answers 404', async () => {
      const dave = await s.register();
      const team = await createGroup(s, alice, [dave], 'Short-lived');
      const file = await uploaded(alice, { filename: 'plan.txt', data: 'the plan' });
      await send(s, alice, team, 'the plan', { attachmentIds: [file.id] });
      expect((await download(dave, file.url)).status).toBe(200);
      const removed = await s.groupsApi('DELETE', `/api/v1/groups/${team}/members/${dave.id}`, { token: alice.token });
      expect(removed.status).toBe(204);
      await vi.waitFor(async () => expect((await download(dave, file.url)).status).toBe(404), { timeout: 15_000, interval: 100 });
      expect((await download(alice, file.url)).status).toBe(200);
    });

    it('when the message sharing it is deleted, other members no longer get it; the uploader still does', async () => {
      const file = await uploaded(alice, { filename: 'oops.txt', data: 'sent by mistake' });
      const message = await send(s, alice, groupId, 'oops', { attachmentIds: [file.id] });
      expect((await download(bob, file.url)).status).toBe(200);
      expect((await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: alice.token })).status).toBe(204);
      expectProblemStatus(await download(bob, file.url), 404);
      expect((await download(alice, file.url)).status).toBe(200);
    });

    it('when the client has the current version (If-None-Match), it answers 304 after the access check', async () => {
      const file = await uploaded(alice, { filename: 'cached.txt', data: 'cache me' });
      const first = await download(alice, file.url);
      const etag = first.headers.get('etag')!;
      expect(etag).toBeTruthy();
      expect((await download(alice, file.url, { 'if-none-match': etag })).status).toBe(304);
      expectProblemStatus(await download(bob, file.url, { 'if-none-match': etag }), 404);
    });
  });

  describe('attaching', () => {
    it("when a message lists someone else's file, it answers 400 naming attachmentIds", async () => {
      const file = await uploaded(bob, { filename: 'bobs.txt', data: 'bob' });
      const res = await s.api('POST', `/api/v1/conversations/${groupId}/messages`, {
        token: alice.token,
        body: { body: 'stealing', clientMessageId: randomUUID(), attachmentIds: [file.id] },
      });
      expectProblem(res, 400, ['body.attachmentIds']);
      const unknown = await s.api('POST', `/api/v1/conversations/${groupId}/messages`, {
        token: alice.token,
        body: { body: 'ghost', clientMessageId: randomUUID(), attachmentIds: [randomUUID()] },
      });
      expectProblem(unknown, 400, ['body.attachmentIds']);
    });

    it('when a message carries several files, they are listed in the order given', async () => {
      const first = await uploaded(alice, { filename: 'one.txt', data: 'one' });
      const second = await uploaded(alice, { filename: 'two.png', data: image });
      const message = await send(s, alice, groupId, 'two files', { attachmentIds: [second.id, first.id] });
      expect(message.attachments.map((a: any) => a.id)).toEqual([second.id, first.id]);
      const history = await s.api('GET', `/api/v1/conversations/${groupId}/messages?limit=1`, { token: bob.token });
      expect(history.body.items[0].attachments.map((a: any) => a.name)).toEqual(['two.png', 'one.txt']);
    });
  });

  describe('clean-up of unreferenced uploads', () => {
    it('removes files older than a day that no message references, rows and blobs; keeps the rest', async () => {
      const orphan = await uploaded(alice, { filename: 'orphan.png', data: image });
      const attached = await uploaded(alice, { filename: 'kept.txt', data: 'kept' });
      const recent = await uploaded(alice, { filename: 'recent.txt', data: 'recent' });
      await send(s, alice, groupId, 'kept', { attachmentIds: [attached.id] });
      await s.messagesDb.query(`UPDATE files SET created_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`, [[orphan.id, attached.id]]);
      expect(blobs()).toEqual(expect.arrayContaining([orphan.id, `${orphan.id}-thumb`]));

      const { deleted } = await cleanUnreferencedFiles(s.messages.context);
      expect(deleted).toBeGreaterThanOrEqual(1);

      expect(blobs()).not.toContain(orphan.id);
      expect(blobs()).not.toContain(`${orphan.id}-thumb`);
      expect(blobs()).toEqual(expect.arrayContaining([attached.id, recent.id]));
      expectProblemStatus(await download(alice, orphan.url), 404);
      expect((await download(alice, attached.url)).status).toBe(200);
      expect((await download(bob, attached.url)).status).toBe(200);
      expect((await download(alice, recent.url)).status).toBe(200);
      const { rows } = await s.messagesDb.query<{ id: string }>('SELECT id FROM files WHERE id = ANY($1::uuid[])', [[orphan.id, attached.id, recent.id]]);
      expect(rows.map((r) => r.id).sort()).toEqual([attached.id, recent.id].sort());
    });
  });
});

/** A problem+json answer with this status (download answers carry raw bytes). */
function expectProblemStatus(res: { status: number; headers: Headers }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}
