export * from './infra.ts';
export * from './adapters.ts';
