// After `vite build`: the JavaScript the browser must load before the first screen (the entry
// chunk and every chunk it imports statically, as the manifest records them), gzipped. Fails
// the build past the budget (issue 9: 200 KB). Lazy routes (dynamicImports) are not counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 200 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));

const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
if (!entry) throw new Error('no entry chunk in the Vite manifest');

const initial = new Set();
const visit = (key) => {
  if (initial.has(key)) return;
  initial.add(key);
  for (const imported of manifest[key].imports ?? []) visit(imported);
};
visit(entry);

let total = 0;
const lines = [];
for (const key of initial) {
  const file = manifest[key].file;
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  lines.push(`  ${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
process.stdout.write(`Initial JavaScript (gzip): ${kb(total)} of ${kb(BUDGET_BYTES)}\n${lines.join('\n')}\n`);
if (total > BUDGET_BYTES) {
  process.stderr.write(`The initial JavaScript is over budget by ${kb(total - BUDGET_BYTES)}: lazy-load a heavy route or drop a dependency.\n`);
  process.exit(1);
}
