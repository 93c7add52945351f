import { groupsV1 } from '@parley/contracts';
import type { GrpcServer } from '@parley/kit';
import { trustedServiceAccess } from '../domain/access.ts';
import type { GroupsContext } from '../domain/context.ts';
import { getMembership } from '../domain/get-membership.ts';
import { listAllMembers } from '../domain/list-all-members.ts';
import { listUserGroupIds } from '../domain/list-user-group-ids.ts';
import { presentMember } from '../presenters/group.presenter.ts';

/** groups.v1.Groups: membership answers for the services that authorise by group, from the same cache as the REST API. */
export function addGroupsGrpc(server: GrpcServer, ctx: Pick<GroupsContext, 'db' | 'cache'>): void {
  server.addService(groupsV1.GroupsService, {
    async getMembership(request) {
      return getMembership(ctx, trustedServiceAccess(request.groupId), request.userId);
    },
    async listMembers(request) {
      return { members: (await listAllMembers(ctx, trustedServiceAccess(request.groupId))).map(presentMember) };
    },
    async listUserGroups(request) {
      return { groupIds: await listUserGroupIds(ctx, request.userId) };
    },
  });
}
