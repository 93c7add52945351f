import { callerOf, presentPage, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import { addMembers } from '../domain/add-members.ts';
import { changeMemberRole } from '../domain/change-member-role.ts';
import type { GroupsContext } from '../domain/context.ts';
import { listMembers } from '../domain/list-members.ts';
import { removeMember } from '../domain/remove-member.ts';
import { presentMember } from '../presenters/group.presenter.ts';
import { addMembersBody, addedMembers, groupParams, memberPage, memberParams, memberRoleBody, memberSchema, pageQuery } from './schemas.ts';

const OWNERSHIP_RULE =
  'Ownership rule: a group has exactly one owner. The owner cannot leave (409) until they hand ownership to another member ' +
  'with PATCH /api/v1/groups/{id}/members/{userId} {"role":"owner"} (the old owner becomes an admin), or delete the group.';

export function membersRoutes(app: HttpServer, ctx: GroupsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'groups');

  app.get(
    '/api/v1/groups/:id/members',
    route.authenticated({
      summary: "A group's members, oldest membership first (members only)",
      params: groupParams,
      querystring: pageQuery,
      response: { 200: memberPage },
    }),
    async (request) => presentPage(await listMembers(ctx, callerOf(request).userId, request.params.id, request.query), presentMember),
  );

  app.post(
    '/api/v1/groups/:id/members',
    route.authenticated({
      summary: 'Add members (admins and the owner); answers the members it added',
      description: 'Users who already belong are ignored (and left out of the answer); unknown users answer 400 naming them; past GROUP_MEMBER_LIMIT, 409.',
      params: groupParams,
      body: addMembersBody,
      response: { 200: addedMembers },
    }),
    async (request) => {
      const added = await addMembers(ctx, callerOf(request).userId, request.params.id, request.body.userIds);
      return { items: added.map(presentMember) };
    },
  );

  app.delete(
    '/api/v1/groups/:id/members/:userId',
    route.authenticated({
      summary: 'Remove a member, or leave with your own id. The owner cannot leave (409): hand ownership over first ({"role":"owner"}) or delete the group',
      description: `Admins remove members; only the owner removes an admin; nobody removes the owner. ${OWNERSHIP_RULE}`,
      params: memberParams,
    }),
    async (request, reply) => {
      await removeMember(ctx, callerOf(request).userId, request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );

  app.patch(
    '/api/v1/groups/:id/members/:userId',
    route.authenticated({
      summary: 'Change a member\'s role (the owner only): admin or member; "owner" hands ownership over and makes you an admin',
      description: OWNERSHIP_RULE,
      params: memberParams,
      body: memberRoleBody,
      response: { 200: memberSchema },
    }),
    async (request) => presentMember(await changeMemberRole(ctx, callerOf(request).userId, request.params.id, request.params.userId, request.body.role)),
  );
}
