/** Which service answers which public path prefix: the one routing table of the platform. */
export interface Upstreams {
  accounts: string;
}

export function routeTable(upstreams: Upstreams): { prefix: string; upstream: string }[] {
  return [
    { prefix: '/api/v1/auth', upstream: upstreams.accounts },
    { prefix: '/api/v1/users', upstream: upstreams.accounts },
    { prefix: '/api/v1/contacts', upstream: upstreams.accounts },
    { prefix: '/.well-known/jwks.json', upstream: upstreams.accounts },
  ];
}
