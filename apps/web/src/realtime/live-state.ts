import { create } from 'zustand';
import type { ConnectionStatus } from './socket';

/*
 * What the live connection tells that is not server state worth caching: the connection's
 * status and who is typing. (Read positions are server state: messages/reads.ts.)
 */

/** A typing notice stays this long unless renewed (clients resend every few seconds). */
export const TYPING_TTL_MS = 6_000;

interface LiveState {
  status: ConnectionStatus;
  /** conversationId → userId → when the notice expires (ms). */
  typing: Record<string, Record<string, number>>;
  setStatus: (status: ConnectionStatus) => void;
  typingStarted: (conversationId: string, userId: string, now: number) => void;
  typingStopped: (conversationId: string, userId: string) => void;
  pruneTyping: (now: number) => void;
  reset: () => void;
}

export const useLive = create<LiveState>()((set) => ({
  status: 'connecting',
  typing: {},
  setStatus: (status) => set({ status }),
  typingStarted: (conversationId, userId, now) =>
    set((state) => ({ typing: { ...state.typing, [conversationId]: { ...state.typing[conversationId], [userId]: now + TYPING_TTL_MS } } })),
  typingStopped: (conversationId, userId) =>
    set((state) => {
      const current = state.typing[conversationId];
      if (!current?.[userId]) return state;
      const { [userId]: _gone, ...rest } = current;
      return { typing: { ...state.typing, [conversationId]: rest } };
    }),
  pruneTyping: (now) =>
    set((state) => {
      let changed = false;
      const typing: LiveState['typing'] = {};
      for (const [conversationId, users] of Object.entries(state.typing)) {
        const kept = Object.fromEntries(Object.entries(users).filter(([, until]) => until > now));
        if (Object.keys(kept).length !== Object.keys(users).length) changed = true;
        typing[conversationId] = kept;
      }
      return changed ? { typing } : state;
    }),
  reset: () => set({ typing: {}, status: 'connecting' }),
}));
