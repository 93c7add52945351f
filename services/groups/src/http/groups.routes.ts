import { callerOf, presentPage, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import type { GroupsContext } from '../domain/context.ts';
import { createGroup } from '../domain/create-group.ts';
import { deleteGroup } from '../domain/delete-group.ts';
import { getGroup } from '../domain/get-group.ts';
import { listMyGroups } from '../domain/list-my-groups.ts';
import { updateGroup } from '../domain/update-group.ts';
import { presentGroup } from '../presenters/group.presenter.ts';
import { createGroupBody, groupPage, groupParams, groupSchema, pageQuery, updateGroupBody } from './schemas.ts';

export function groupsRoutes(app: HttpServer, ctx: GroupsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'groups');

  app.post(
    '/api/v1/groups',
    route.authenticated({
      summary: 'Create a group; you are its owner',
      description: 'memberIds (at most 1000) are added as members; unknown users answer 400 naming them; past GROUP_MEMBER_LIMIT, 409.',
      body: createGroupBody,
      response: { 201: groupSchema },
    }),
    async (request, reply) => {
      const group = await createGroup(ctx, callerOf(request).userId, request.body);
      return reply.code(201).send(presentGroup(group, 'owner'));
    },
  );

  app.get(
    '/api/v1/groups',
    route.authenticated({ summary: 'Your groups, newest group first', querystring: pageQuery, response: { 200: groupPage } }),
    async (request) => presentPage(await listMyGroups(ctx, callerOf(request).userId, request.query), ({ group, role }) => presentGroup(group, role)),
  );

  app.get(
    '/api/v1/groups/:id',
    route.authenticated({ summary: 'A group you belong to (404 otherwise)', params: groupParams, response: { 200: groupSchema } }),
    async (request) => {
      const { group, role } = await getGroup(ctx, callerOf(request).userId, request.params.id);
      return presentGroup(group, role);
    },
  );

  app.patch(
    '/api/v1/groups/:id',
    route.authenticated({
      summary: 'Rename a group or change its description (admins and the owner)',
      description: 'An empty or null description clears it.',
      params: groupParams,
      body: updateGroupBody,
      response: { 200: groupSchema },
    }),
    async (request) => {
      const { group, role } = await updateGroup(ctx, callerOf(request).userId, request.params.id, request.body);
      return presentGroup(group, role);
    },
  );

  app.delete('/api/v1/groups/:id', route.authenticated({ summary: 'Delete a group (the owner only)', params: groupParams }), async (request, reply) => {
    await deleteGroup(ctx, callerOf(request).userId, request.params.id);
    return reply.code(204).send();
  });
}
