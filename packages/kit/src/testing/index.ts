export * from './infra.ts';
export * from './adapters.ts';
export * from './tcp-proxy.ts';
export * from './redis-server.ts';
