/*
 * The REST types of the web app come from the OpenAPI document the platform itself serves
 * (`/api/v1/openapi.json`, the gateway's merge of every service's document).
 *
 *   npm run api:generate -w @parley/web   starts the platform in-process on a temporary
 *                                          DATA_DIR and a free port, writes src/api/schema.d.ts
 *   npm run api:check -w @parley/web      the same, but fails if the committed file differs
 *
 * Only the embedded adapters are used (no REDIS_URL/AMQP_URL/*_DATABASE_URL), so it runs on a
 * fresh clone with nothing else started.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '@parley/standalone';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

const target = join(import.meta.dirname, '..', 'src', 'api', 'schema.d.ts');
const check = process.argv.includes('--check');

const header = `/*
 * Generated from the platform's /api/v1/openapi.json by \`npm run api:generate -w @parley/web\`.
 * Do not edit: change the services' route schemas and regenerate (CI runs api:check).
 */

`;

async function fetchDocument(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-openapi-'));
  const platform = await startPlatform({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  try {
    const response = await fetch(`${platform.url}/api/v1/openapi.json`);
    if (!response.ok) throw new Error(`GET /api/v1/openapi.json answered ${response.status}`);
    return await response.text();
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const document = JSON.parse(await fetchDocument()) as OpenAPI3;
const generated = header + astToString(await openapiTS(document, { alphabetize: true }));

if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== generated) {
    process.stderr.write(`${target} is stale: the platform's OpenAPI document changed. Run \`npm run api:generate -w @parley/web\` and commit it.\n`);
    process.exit(1);
  }
  process.stdout.write("src/api/schema.d.ts matches the platform's OpenAPI document.\n");
} else {
  await writeFile(target, generated);
  process.stdout.write(`wrote ${target}\n`);
}
process.exit(0);
