export * from './infra.ts';
