import { badRequest, newId } from '@parley/kit';
import { upsertSubscription, type PushSubscriptionRow } from '../db/push-subscription.repository.ts';
import type { NotificationsContext } from './context.ts';
import { checkPushEndpoint, checkResolvedHost, systemResolver, type Resolver } from './push-endpoint.ts';

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Stores a browser's push subscription for the caller (the same endpoint again updates it).
 * The endpoint must be a push service the server may call: https:// on a public host (a name
 * must not resolve to any internal address), or an allow-listed origin.
 */
export async function subscribePush(
  ctx: Pick<NotificationsContext, 'db' | 'config'>,
  userId: string,
  input: PushSubscriptionInput,
  resolve: Resolver = systemResolver,
): Promise<{ subscription: PushSubscriptionRow; created: boolean }> {
  const check = checkPushEndpoint(input.endpoint, ctx.config.PUSH_ENDPOINT_ALLOW_LIST);
  const reason = check.ok ? (check.allowListed ? undefined : await checkResolvedHost(check.host, resolve)) : check.reason;
  if (reason) throw badRequest('The push subscription is not valid.', { 'body.endpoint': [reason] });
  const { row, created } = await upsertSubscription(ctx.db, {
    id: newId(),
    userId,
    endpoint: input.endpoint,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
  });
  return { subscription: row, created };
}
