export { createCachedGroups, groupsCacheEntries, membershipId, type CachedGroups, type CachedGroupsOptions, type GroupMember } from './cached-groups.ts';
