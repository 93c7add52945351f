import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startPlatform } from './platform.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

/** One platform for the whole run, started the standalone way; stopped when the run ends. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const platform = await startPlatform();
  project.provide('baseUrl', platform.url);
  return () => platform.stop();
}
