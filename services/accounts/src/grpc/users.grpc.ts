import { accountsV1 } from '@parley/contracts';
import { badRequest, isUuid, type GrpcServer } from '@parley/kit';
import type { AccountsContext } from '../domain/context.ts';
import { checkSessionFromDatabase } from '../domain/check-session.ts';
import { getContactOf } from '../domain/contact-of.ts';
import { getUsers } from '../domain/user-cache.ts';
import { presentServiceUser } from '../presenters/user.presenter.ts';

const MAX_IDS = 500;

/** accounts.v1.Users: batched public profiles, session checks and presence watchers for the other services. */
export function addUsersGrpc(server: GrpcServer, ctx: Pick<AccountsContext, 'db' | 'cache' | 'config'>): void {
  server.addService(accountsV1.UsersService, {
    async getUsers(request) {
      if (request.ids.length > MAX_IDS) throw badRequest(`At most ${MAX_IDS} ids per call.`);
      const users = await getUsers(ctx, request.ids.filter(isUuid));
      return { users: users.map(presentServiceUser) };
    },
    async checkSession(request) {
      if (!isUuid(request.sessionId) || !isUuid(request.userId)) return { live: false };
      return { live: await checkSessionFromDatabase(ctx, request.sessionId, request.userId) };
    },
    async listContactOf(request) {
      if (!isUuid(request.userId)) return { userIds: [], truncated: false };
      return getContactOf(ctx, request.userId, request.limit);
    },
  });
}
