import { MULTIPART_OVERHEAD_BYTES } from '@parley/kit';

/** Which service answers which public path prefix: the one routing table of the platform. */
export interface Upstreams {
  accounts: string;
  groups: string;
  messages: string;
  notifications: string;
}

export interface Route {
  prefix: string;
  upstream: string;
  /** Proxied as a WebSocket (the notifications socket). */
  websocket?: boolean;
}

export function routeTable(upstreams: Upstreams): Route[] {
  return [
    { prefix: '/api/v1/auth', upstream: upstreams.accounts },
    { prefix: '/api/v1/users', upstream: upstreams.accounts },
    { prefix: '/api/v1/contacts', upstream: upstreams.accounts },
    { prefix: '/.well-known/jwks.json', upstream: upstreams.accounts },
    { prefix: '/api/v1/groups', upstream: upstreams.groups },
    { prefix: '/api/v1/conversations', upstream: upstreams.messages },
    { prefix: '/api/v1/messages', upstream: upstreams.messages },
    { prefix: '/api/v1/search', upstream: upstreams.messages },
    { prefix: '/api/v1/files', upstream: upstreams.messages },
    { prefix: '/api/v1/notifications', upstream: upstreams.notifications },
    { prefix: '/api/v1/push', upstream: upstreams.notifications },
    { prefix: '/api/v1/presence', upstream: upstreams.notifications },
    { prefix: '/ws', upstream: upstreams.notifications, websocket: true },
  ];
}

/**
 * The paths whose bodies may be larger than an ordinary JSON body: the uploads, each bounded by
 * its service's own limit (the same variables) plus multipart framing. Every other body is held
 * to the services' JSON limit, DEFAULT_BODY_LIMIT_BYTES.
 */
export function uploadLimits(limits: { FILE_MAX_BYTES: number; AVATAR_MAX_BYTES: number }): ReadonlyMap<string, number> {
  return new Map([
    ['/api/v1/files', limits.FILE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES],
    ['/api/v1/users/me/avatar', limits.AVATAR_MAX_BYTES + MULTIPART_OVERHEAD_BYTES],
  ]);
}
