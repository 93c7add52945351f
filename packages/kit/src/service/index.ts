export * from './definition.ts';
export * from './build.ts';
export * from './run-service.ts';
