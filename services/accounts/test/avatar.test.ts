import { randomBytes } from 'node:crypto';
import { newId } from '@parley/kit';
import { adapterKinds, apiFor, expectFieldErrors, expectProblem, registerUser, type Api, type SignedIn } from '@parley/kit/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccounts, type AccountsHarness } from './harness.ts';

const AVATAR_MAX_BYTES = 20_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A small solid-colour image, made on the spot rather than committed as a binary. */
const solidImage = (format: 'png' | 'jpeg' | 'webp' | 'gif', side = 64, background = { r: 40, g: 120, b: 200 }): Promise<Buffer> =>
  sharp({ create: { width: side, height: side, channels: 3, background } })
    .toFormat(format)
    .toBuffer();

/** Random pixels do not compress: a valid PNG well over AVATAR_MAX_BYTES. */
const noisyPng = (side: number): Promise<Buffer> =>
  sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();

/** A multipart body with one part named `name`. */
function formWith(bytes: Uint8Array, type: string, filename: string, name = 'file'): FormData {
  const form = new FormData();
  form.append(name, new Blob([new Uint8Array(bytes)], { type }), filename);
  return form;
}

describe.each(adapterKinds())('accounts avatars (%s)', (kind) => {
  let h: AccountsHarness;
  let api: Api;
  let alice: SignedIn;

  beforeAll(async () => {
    h = await startAccounts(kind, { AVATAR_MAX_BYTES: String(AVATAR_MAX_BYTES), AUTH_MAX_PER_IP: '1000' });
    api = apiFor(h.baseUrl);
    alice = await registerUser(api);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const upload = (raw: FormData | string, token = alice.accessToken, headers: Record<string, string> = {}) =>
    api('PUT', '/api/v1/users/me/avatar', { token, raw, headers });

  /** Fetches an avatar URL as bytes (no token: avatars are public images). */
  async function fetchImage(url: string) {
    const res = await fetch(`${h.baseUrl}${url}`);
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  describe('PUT /api/v1/users/me/avatar', () => {
    it.each(['png', 'jpeg', 'webp'] as const)('a %s image answers 200 with an avatarUrl serving a 256x256 WebP with nosniff', async (format) => {
      const bob = await registerUser(api);
      const res = await upload(formWith(await solidImage(format), `image/${format}`, `me.${format}`), bob.accessToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.id).toBe(bob.user.id);
      expect(res.body.avatarUrl).toMatch(new RegExp(`^/api/v1/users/${bob.user.id}/avatar\\?v=[0-9a-f]+$`));

      const image = await fetchImage(res.body.avatarUrl);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/webp');
      expect(image.headers.get('x-content-type-options')).toBe('nosniff');
      const meta = await sharp(image.bytes).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: 256, height: 256 });

      // The profile, mine and as others see it, points at it too.
      expect((await api('GET', '/api/v1/users/me', { token: bob.accessToken })).body.avatarUrl).toBe(res.body.avatarUrl);
      expect((await api('GET', `/api/v1/users/${bob.user.id}`, { token: alice.accessToken })).body.avatarUrl).toBe(res.body.avatarUrl);
    });

    it('the type comes from the bytes: a PNG sent as application/octet-stream with no extension is accepted', async () => {
      const res = await upload(formWith(await solidImage('png'), 'application/octet-stream', 'blob'));
      expect(res.status).toBe(200);
    });

    it('a new image gives a new avatarUrl', async () => {
      const bob = await registerUser(api);
      const first = await upload(formWith(await solidImage('png', 32, { r: 255, g: 0, b: 0 }), 'image/png', 'a.png'), bob.accessToken);
      const second = await upload(formWith(await solidImage('png', 32, { r: 0, g: 255, b: 0 }), 'image/png', 'b.png'), bob.accessToken);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body.avatarUrl).not.toBe(first.body.avatarUrl);
      expect((await fetchImage(second.body.avatarUrl)).status).toBe(200);
    });

    it(`an image over AVATAR_MAX_BYTES (${AVATAR_MAX_BYTES}) answers 413 and the avatar stays as it was`, async () => {
      const bob = await registerUser(api);
      const before = await upload(formWith(await solidImage('png'), 'image/png', 'ok.png'), bob.accessToken);
      const big = await noisyPng(200);
      expect(big.length).toBeGreaterThan(AVATAR_MAX_BYTES);
      expectProblem(await upload(formWith(big, 'image/png', 'big.png'), bob.accessToken), 413);
      expect((await api('GET', '/api/v1/users/me', { token: bob.accessToken })).body.avatarUrl).toBe(before.body.avatarUrl);
    });

    const notImages: [string, () => Promise<Uint8Array>, string][] = [
      ['an HTML page declared as image/png', async () => Buffer.from('<!doctype html><html><script>alert(1)</script></html>'), 'image/png'],
      ['a text file', async () => Buffer.from('just some words\n'), 'text/plain'],
      ['an SVG declared as image/png', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png'],
      ['a GIF (not an accepted format)', () => solidImage('gif'), 'image/gif'],
      ['a PNG signature followed by garbage, declared as image/png', async () => Buffer.concat([PNG_SIGNATURE, randomBytes(600)]), 'image/png'],
      ['a PNG signature followed by garbage, declared as image/jpeg', async () => Buffer.concat([PNG_SIGNATURE, randomBytes(600)]), 'image/jpeg'],
      [
        'a PNG signature followed by garbage, declared as application/octet-stream',
        async () => Buffer.concat([PNG_SIGNATURE, randomBytes(600)]),
        'application/octet-stream',
      ],
      ['a PNG cut off after its header', async () => (await solidImage('png')).subarray(0, 40), 'image/png'],
      ['a JPEG cut off after its header', async () => (await solidImage('jpeg')).subarray(0, 30), 'image/jpeg'],
    ];
    it.each(notImages)('%s answers 415 and the avatar stays as it was', async (_case, make, type) => {
      const before = (await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body.avatarUrl;
      expectProblem(await upload(formWith(await make(), type, 'upload.png')), 415);
      expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).body.avatarUrl).toBe(before);
    });

    it('an empty file answers 400', async () => {
      expectFieldErrors(await upload(formWith(new Uint8Array(0), 'image/png', 'empty.png')), ['body.file']);
    });

    it('a multipart body without a "file" field answers 400', async () => {
      const form = new FormData();
      form.append('caption', 'no file here');
      expectFieldErrors(await upload(form), ['body.file']);
      expectFieldErrors(await upload(formWith(await solidImage('png'), 'image/png', 'a.png', 'picture')), ['body.file']);
      expectFieldErrors(await upload(formWith(await noisyPng(200), 'image/png', 'big.png', 'picture')), ['body.file']);
    });

    it('two files in one request answer 400 naming file, and the avatar stays as it was', async () => {
      const bob = await registerUser(api);
      const form = formWith(await solidImage('png'), 'image/png', 'first.png');
      form.append('file', new Blob([new Uint8Array(await solidImage('jpeg'))], { type: 'image/jpeg' }), 'second.jpg');
      expectFieldErrors(await upload(form, bob.accessToken), ['body.file']);
      expect((await api('GET', '/api/v1/users/me', { token: bob.accessToken })).body.avatarUrl).toBeNull();
    });

    it('a JSON body, or no body at all, answers 400', async () => {
      expectProblem(await api('PUT', '/api/v1/users/me/avatar', { token: alice.accessToken, body: { file: 'data:image/png;base64,AAAA' } }), 400);
      expectProblem(await api('PUT', '/api/v1/users/me/avatar', { token: alice.accessToken }), 400);
    });

    it('a content type it does not read answers 415', async () => {
      expectProblem(await upload('raw bytes', alice.accessToken, { 'content-type': 'image/png' }), 415);
    });

    it('a malformed multipart body (no boundary, or cut off) answers 400', async () => {
      expectProblem(await upload('garbage', alice.accessToken, { 'content-type': 'multipart/form-data' }), 400);
      expectProblem(await upload('garbage', alice.accessToken, { 'content-type': 'multipart/form-data; boundary=xyz' }), 400);
      const cutOff = '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG';
      expectProblem(await upload(cutOff, alice.accessToken, { 'content-type': 'multipart/form-data; boundary=xyz' }), 400);
    });

    it('without a token, it answers 401 and does not read the upload', async () => {
      expectProblem(await api('PUT', '/api/v1/users/me/avatar', { raw: formWith(await solidImage('png'), 'image/png', 'a.png') }), 401);
    });
  });

  describe('GET /api/v1/users/:id/avatar', () => {
    it('a user without an avatar answers 404, an unknown user 404, a malformed id 400', async () => {
      const bob = await registerUser(api);
      expectProblem(await api('GET', `/api/v1/users/${bob.user.id}/avatar`), 404);
      expectProblem(await api('GET', `/api/v1/users/${newId()}/avatar`), 404);
      expectFieldErrors(await api('GET', '/api/v1/users/not-a-user/avatar'), ['params.id']);
    });
  });
});
