import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startPlatform } from './platform.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

/**
 * One platform for the whole run, started the standalone way; stopped when the run ends.
 * PARLEY_E2E_URL points the suite at a platform already running instead (while writing tests).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.PARLEY_E2E_URL;
  if (given) {
    project.provide('baseUrl', given.replace(/\/$/, ''));
    return async () => undefined;
  }
  const platform = await startPlatform();
  project.provide('baseUrl', platform.url);
  return () => platform.stop();
}
