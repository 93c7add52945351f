/** Facts about the repository the deploy tests share. */
import { cpSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The processes that get an image (deploy/docker/Dockerfile targets) and a Deployment. */
export const IMAGE_PROCESSES = ['accounts', 'accounts-worker', 'groups', 'messages', 'notifications', 'gateway'] as const;

/** The workspace folders of the root package.json's `workspaces` globs (one level deep). */
export function workspaceDirs(repoRoot: string): string[] {
  const dirs: string[] = ['bench'];
  for (const parent of ['packages', 'services', 'apps']) {
    for (const entry of readdirSync(join(repoRoot, parent))) {
      if (existsSync(join(repoRoot, parent, entry, 'package.json'))) dirs.push(`${parent}/${entry}`);
    }
  }
  return dirs.sort();
}

/** What the Dockerfile's manifests stage outputs: the lockfile and every workspace's package.json. */
export function copyManifests(repoRoot: string, to: string): void {
  for (const file of ['package.json', 'package-lock.json', ...workspaceDirs(repoRoot).map((dir) => `${dir}/package.json`)]) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(to, file));
  }
}
