import { describe, expect, it } from 'vitest';
import { AT_BOTTOM_PX, followsAfter } from './follow-bottom';

describe('following the bottom of the message list', () => {
  const away = AT_BOTTOM_PX + 500;
  it('keeps following while rows arrive faster than the list scrolls (away from the bottom, but not by the user)', () => {
    expect(followsAfter(true, { distanceFromBottom: away, movedUp: false, byUser: false })).toBe(true);
    // The list correcting its own position (row heights measured) is not the user leaving.
    expect(followsAfter(true, { distanceFromBottom: away, movedUp: true, byUser: false })).toBe(true);
  });

  it('stops when the user scrolls up, and follows again once they are back at the bottom', () => {
    expect(followsAfter(true, { distanceFromBottom: away, movedUp: true, byUser: true })).toBe(false);
    expect(followsAfter(false, { distanceFromBottom: away, movedUp: false, byUser: true })).toBe(false);
    expect(followsAfter(false, { distanceFromBottom: away, movedUp: false, byUser: false })).toBe(false);
    expect(followsAfter(false, { distanceFromBottom: AT_BOTTOM_PX, movedUp: false, byUser: true })).toBe(true);
  });
});
