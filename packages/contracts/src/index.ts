// What services share about each other: domain events, WebSocket frames and gRPC contracts.
export * from './events.ts';
export * from './ws.ts';
export * from './asyncapi.ts';
export * from './live.ts';

// Generated from proto/ by `npm run proto`; namespaced because each package reuses message names.
export * as accountsV1 from './gen/accounts/v1/users.ts';
export * as groupsV1 from './gen/groups/v1/groups.ts';
