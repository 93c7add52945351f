#!/usr/bin/env node
// Fails the build when src/gen is not what `buf generate` makes from proto/ today: someone
// changed a .proto (or the generator options) without regenerating, or edited generated code.
// Regenerates into a temporary folder with the same template and compares file by file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const generatedDir = 'src/gen';
const buf = createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf');

/** Every file under dir, as paths relative to it; empty when dir does not exist. (`path`: Node < 20.12.) */
function listFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)));
}

/** Returns the process exit code; no process.exit() inside, so the temporary folder is always removed. */
function check(outputDir) {
  // --output is prepended to the template's `out`, so fresh code lands in <tmp>/src/gen.
  const run = spawnSync(process.execPath, [buf, 'generate', '--output', outputDir], { cwd: packageDir, encoding: 'utf8' });
  if (run.status !== 0) {
    process.stderr.write(run.stderr || run.stdout || `buf generate failed (${run.error?.message ?? `exit ${run.status}`})\n`);
    return 1;
  }

  const committed = join(packageDir, generatedDir);
  const fresh = join(outputDir, generatedDir);
  const committedFiles = new Set(listFiles(committed));
  const freshFiles = new Set(listFiles(fresh));
  const problems = [];
  for (const file of [...freshFiles].sort()) {
    if (!committedFiles.has(file)) problems.push(`missing: ${generatedDir}/${file}`);
    else if (!readFileSync(join(committed, file)).equals(readFileSync(join(fresh, file)))) {
      problems.push(`stale:   ${generatedDir}/${file}`);
    }
  }
  for (const file of [...committedFiles].sort()) {
    if (!freshFiles.has(file)) problems.push(`extra:   ${generatedDir}/${file} (no .proto produces it)`);
  }

  if (problems.length > 0) {
    process.stderr.write(
      `Generated protobuf code is out of date:\n  ${problems.join('\n  ')}\n` +
        'Run `npm run proto` (in packages/contracts: `npx buf generate`) and commit the result.\n',
    );
    return 1;
  }
  process.stdout.write(`${generatedDir} is up to date (${freshFiles.size} files).\n`);
  return 0;
}

const outputDir = mkdtempSync(join(tmpdir(), 'parley-contracts-'));
try {
  process.exitCode = check(outputDir);
} finally {
  rmSync(outputDir, { recursive: true, force: true });
}
