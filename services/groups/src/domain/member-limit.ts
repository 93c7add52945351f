import { conflict } from '@parley/kit';

/** 409 when a group would have more than `limit` members. */
export function assertWithinMemberLimit(limit: number, count: number): void {
  if (count > limit) {
    throw conflict(`A group can have at most ${limit} members; this would make ${count}.`);
  }
}
