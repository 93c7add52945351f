import type { ShownStatus } from '@parley/contracts';
import type { Db, RelayWaker } from '@parley/kit';
import { findShownStates, lockShownState, saveShownState, type ShownState } from '../db/shown-presence.repository.ts';
import { events } from './events.ts';

export type { ShownState };

/** What others see of a recorded state; no record is `offline`. */
export const shownStatusOf = (state: ShownState | undefined): ShownStatus => (state === undefined || state === 'hidden' ? 'offline' : state);

export interface ShownChange {
  before: ShownStatus;
  after: ShownStatus;
}

/**
 * The record of what other users are shown of each user (table shown_presence): the one source
 * of truth behind the `presence` frames, GET /api/v1/presence and the profiles at accounts
 * (docs/presence.md). Each change that others can see is written with its `presence.changed`
 * event in one transaction (outbox), so accounts learns exactly the transitions the frames told.
 */
export interface ShownPresence {
  /**
   * Decides the user's next state from the recorded one, under the user's lock, and records it.
   * Returns what others saw before and see now (equal when nothing they can see changed).
   */
  change(userId: string, decide: (before: ShownState | undefined) => ShownState | undefined): Promise<ShownChange>;
  statesOf(userIds: readonly string[]): Promise<Map<string, ShownState>>;
}

export function createShownPresence(deps: { db: Db; outbox: RelayWaker }): ShownPresence {
  return {
    change(userId, decide) {
      return events.transaction(deps, async (tx, emit) => {
        const before = await lockShownState(tx, userId);
        const after = decide(before);
        const shown = { before: shownStatusOf(before), after: shownStatusOf(after) };
        if (after === before) return shown;
        await saveShownState(tx, userId, after);
        if (shown.before !== shown.after) emit('presence.changed', { userId, status: shown.after });
        return shown;
      });
    },
    statesOf: (userIds) => findShownStates(deps.db, userIds),
  };
}
