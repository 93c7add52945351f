import multipart from '@fastify/multipart';
import {
  badRequest,
  callerOf,
  malformedMultipart,
  notFound,
  payloadTooLarge,
  presentPage,
  readAhead,
  refuseMoreFiles,
  routeOpenings,
  type HttpServer,
  type TokenVerifier,
} from '@parley/kit';
import { z } from 'zod';
import { findAvatar } from '../db/user.repository.ts';
import { changePassword } from '../domain/change-password.ts';
import type { AccountsContext } from '../domain/context.ts';
import { listActivity } from '../domain/list-activity.ts';
import { searchUsers } from '../domain/search-users.ts';
import { setStatus } from '../domain/set-status.ts';
import { updateProfile } from '../domain/update-profile.ts';
import { uploadAvatar } from '../domain/upload-avatar.ts';
import { cachedUsers, getUser, getUserToPresent } from '../domain/user-cache.ts';
import { presentActivity, presentMe, presentPublicUser } from '../presenters/user.presenter.ts';
import { activitySchema, idParams, meSchema, pageQuery, passwordBody, profilePatchBody, publicUserSchema, searchQuery, statusBody } from './schemas.ts';

/** The caller's cached profile, read in the same cache round trip as the session. */
const callersProfile = readAhead(cachedUsers, (caller) => caller.userId);

export async function usersRoutes(app: HttpServer, ctx: AccountsContext, verify: TokenVerifier): Promise<void> {
  const route = routeOpenings(verify, 'users');

  // The hottest route: the profile is read from the cache in the same round trip as the session.
  app.get('/api/v1/users/me', route.authenticated({ summary: 'Your profile', response: { 200: meSchema } }, { alsoRead: [callersProfile] }), async (request) => {
    const user = await getUserToPresent(ctx, callerOf(request).userId, callersProfile.from(request));
    if (!user) throw notFound('user');
    return presentMe(user);
  });

  app.patch('/api/v1/users/me', route.authenticated({ summary: 'Update your profile', body: profilePatchBody, response: { 200: meSchema } }), async (request) =>
    presentMe(await updateProfile(ctx, callerOf(request).userId, request.body)),
  );

  app.put(
    '/api/v1/users/me/password',
    route.authenticated({ summary: 'Change your password; ends your other sessions', body: passwordBody }),
    async (request, reply) => {
      await changePassword(ctx, callerOf(request), request.body);
      return reply.code(204).send();
    },
  );

  app.put('/api/v1/users/me/status', route.authenticated({ summary: 'Set your status', body: statusBody, response: { 200: meSchema } }), async (request) =>
    presentMe(await setStatus(ctx, callerOf(request).userId, request.body.status, request.body.text ?? null)),
  );

  // Multipart only in the avatar route's own scope: the plugin adds hooks (async ones, and a
  // 'close' listener) to every request of the scope it is registered in, /users/me included.
  await app.register(async (scope: HttpServer) => {
    await scope.register(multipart, { limits: { fileSize: ctx.config.AVATAR_MAX_BYTES, files: 1, fields: 5, parts: 10 } });
    scope.put(
      '/api/v1/users/me/avatar',
      route.authenticated({
        summary: 'Upload your avatar (multipart field "file": PNG, JPEG or WebP)',
        consumes: ['multipart/form-data'],
        response: { 200: meSchema },
      }),
      async (request) => {
        if (!request.isMultipart()) throw badRequest('Send the avatar as multipart/form-data with a "file" field.');
        const files = request.files();
        const first = await files.next().catch(malformedMultipart);
        const file = first.done ? undefined : first.value;
        // The first file part must be the one API.md names; a file under another name is not the avatar.
        if (file?.fieldname !== 'file') throw badRequest('The "file" field is missing.', { 'body.file': ['is required'] });
        // Bounded by AVATAR_MAX_BYTES: the stream stops (truncated) past the limit.
        const bytes = await file.toBuffer().catch((error: unknown) => {
          if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
            throw payloadTooLarge(`The avatar is larger than ${ctx.config.AVATAR_MAX_BYTES} bytes.`);
          return malformedMultipart(error);
        });
        if (bytes.length === 0) throw badRequest('The file is empty.', { 'body.file': ['is empty'] });
        await refuseMoreFiles(files);
        return presentMe(await uploadAvatar(ctx, callerOf(request).userId, bytes));
      },
    );
  });

  app.get(
    '/api/v1/users/me/activity',
    route.authenticated({
      summary: 'Your recent activity, newest first',
      querystring: pageQuery,
      response: { 200: z.object({ items: z.array(activitySchema), nextCursor: z.string().nullable() }) },
    }),
    async (request) => presentPage(await listActivity(ctx, callerOf(request).userId, request.query), presentActivity),
  );

  app.get(
    '/api/v1/users',
    route.authenticated({
      summary: 'Find users by username or display name (prefix and fuzzy)',
      querystring: searchQuery,
      response: { 200: z.object({ items: z.array(publicUserSchema) }) },
    }),
    async (request) => ({ items: (await searchUsers(ctx, request.query.q, request.query.limit)).map(presentPublicUser) }),
  );

  app.get(
    '/api/v1/users/:id',
    route.authenticated({ summary: "A user's public profile", params: idParams, response: { 200: publicUserSchema } }),
    async (request) => {
      const user = await getUser(ctx, request.params.id);
      if (!user) throw notFound('user');
      return presentPublicUser(user);
    },
  );

  // Avatars are public images (as on every chat platform): <img> tags can't send a bearer token.
  app.get('/api/v1/users/:id/avatar', route.open({ summary: "A user's avatar image", params: idParams }), async (request, reply) => {
    const avatar = await findAvatar(ctx.db, request.params.id);
    if (!avatar) throw notFound('avatar');
    return reply
      .type(avatar.content_type)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', `"${avatar.version}"`)
      .send(Buffer.from(avatar.bytes));
  });
}
