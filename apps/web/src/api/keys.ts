/** TanStack Query keys, in one place so live updates and screens agree. */
export const keys = {
  me: ['me'] as const,
  conversations: ['conversations'] as const,
  timeline: (conversationId: string) => ['timeline', conversationId] as const,
  /** Members' read positions in a conversation ("seen by"). */
  reads: (conversationId: string) => ['reads', conversationId] as const,
  /** One conversation fetched on its own (not in the loaded pages of the chat list). */
  conversation: (conversationId: string) => ['conversation', conversationId] as const,
  user: (userId: string) => ['user', userId] as const,
  group: (groupId: string) => ['group', groupId] as const,
  members: (groupId: string) => ['members', groupId] as const,
  presence: (userId: string) => ['presence', userId] as const,
  contacts: ['contacts'] as const,
  sessions: ['sessions'] as const,
  notifications: ['notifications'] as const,
  mute: (conversationId: string) => ['mute', conversationId] as const,
  search: (q: string) => ['search', q] as const,
};
