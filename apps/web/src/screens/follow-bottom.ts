import { useCallback, useEffect, useRef, useState } from 'react';

/*
 * Whether the message list follows its bottom. Virtuoso's own "at bottom" flag turns false for a
 * moment whenever rows arrive faster than it scrolls to them (a burst), and a list that asked it
 * whether to follow stopped following. Here the intent is the user's: the list follows until
 * the user scrolls up (wheel, touch, keys, scrollbar), and follows again once they are back at
 * the bottom. Content growing, and the list's own scrolling, never change it.
 */

/** Within this many pixels of the end counts as at the bottom. */
export const AT_BOTTOM_PX = 40;
/** A scroll this soon after the user touched the list is theirs. */
const USER_INPUT_MS = 1_000;

export interface ScrollSample {
  /** Pixels between the viewport's bottom and the end of the content. */
  distanceFromBottom: number;
  /** The scroll position moved up since the previous sample. */
  movedUp: boolean;
  /** The user used the wheel, touch, keys or the scrollbar just before. */
  byUser: boolean;
}

/** The follow state after a scroll event. */
export function followsAfter(following: boolean, sample: ScrollSample): boolean {
  if (sample.distanceFromBottom <= AT_BOTTOM_PX) return true;
  if (sample.movedUp && sample.byUser) return false;
  return following;
}

const USER_INPUTS = ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const;

/**
 * Follow state for a scroller. `detachedAfter` is the newest seq loaded when the user left the
 * bottom (null while following): what arrived after it is "new" for the affordance.
 */
export function useFollowBottom(scroller: HTMLElement | null, newestSeq: number) {
  const following = useRef(true);
  const [detachedAfter, setDetachedAfter] = useState<number | null>(null);
  const newest = useRef(newestSeq);
  newest.current = newestSeq;

  const setFollowing = useCallback((value: boolean) => {
    if (following.current === value) return;
    following.current = value;
    setDetachedAfter(value ? null : newest.current);
  }, []);

  useEffect(() => {
    if (!scroller) return;
    let lastTop = scroller.scrollTop;
    let lastInput = 0;
    const onInput = () => {
      lastInput = performance.now();
    };
    const onScroll = () => {
      const top = scroller.scrollTop;
      const sample = {
        distanceFromBottom: scroller.scrollHeight - top - scroller.clientHeight,
        movedUp: top < lastTop - 1,
        byUser: performance.now() - lastInput < USER_INPUT_MS,
      };
      lastTop = top;
      setFollowing(followsAfter(following.current, sample));
    };
    for (const type of USER_INPUTS) scroller.addEventListener(type, onInput, { passive: true });
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      for (const type of USER_INPUTS) scroller.removeEventListener(type, onInput);
      scroller.removeEventListener('scroll', onScroll);
    };
  }, [scroller, setFollowing]);

  return { following, detachedAfter, setFollowing };
}
