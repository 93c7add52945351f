import { listLiveSessions, type SessionRow } from '../db/session.repository.ts';
import type { AccountsContext } from './context.ts';

export const listSessions = (ctx: Pick<AccountsContext, 'db'>, userId: string): Promise<SessionRow[]> => listLiveSessions(ctx.db, userId);
