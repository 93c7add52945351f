#!/usr/bin/env node
// Second half of `npm run build:dist`: tsc emits JavaScript only, but the code also reads files
// that sit beside it at run time (each service's db/migrations/*.sql, found through
// import.meta.url). This copies every file under a built package's src/ that is not TypeScript
// to the same place under its dist/, so dist/ runs on its own (the images ship dist/ only).
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// The packages tsconfig.build.json builds, in its own words.
const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const packages = build.references.map((reference) => dirname(join(root, reference.path)));

let copied = 0;
for (const packageDir of packages) {
  const src = join(packageDir, 'src');
  for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.(ts|tsx|mts|cts)$/.test(entry.name)) continue;
    const from = join(entry.parentPath ?? entry.path, entry.name);
    const to = join(packageDir, 'dist', relative(src, from));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    copied += 1;
  }
}
process.stdout.write(`copied ${copied} non-TypeScript files from src/ to dist/ in ${packages.length} packages\n`);
