export * from './infra.ts';
export * from './adapters.ts';
export * from './tcp-proxy.ts';
export * from './raw-http.ts';
export * from './redis-server.ts';
export * from './http-client.ts';
export * from './problems.ts';
export * from './users.ts';
