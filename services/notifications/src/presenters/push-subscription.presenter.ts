import type { PushSubscriptionRow } from '../db/push-subscription.repository.ts';

/** A stored push subscription as its browser registered it; the keys are not shown back. */
export function presentPushSubscription(row: PushSubscriptionRow) {
  return { endpoint: row.endpoint, createdAt: new Date(row.created_at).toISOString() };
}
