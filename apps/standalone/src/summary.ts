import { isAbsolute, resolve } from 'node:path';
import type { Platform } from './platform.ts';

/** A server URL fit to print: the password (RabbitMQ's, PostgreSQL's) left out. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * What `npm start` prints once everything is up: where to go, what runs where, where the data
 * is and who can reach it. A few lines for a person; the logs stay JSON.
 */
export function startupSummary(platform: Platform): string {
  const { host, dataDir, databases, redisUrl, amqpUrl } = platform.layout;
  const dataPath = isAbsolute(dataDir) ? dataDir : resolve(dataDir);
  const embedded = Object.keys(databases).filter((service) => !databases[service as keyof typeof databases]);
  const external = Object.entries(databases).filter((entry): entry is [string, string] => entry[1] !== undefined);

  const lines = [`Parley is running at ${platform.url}  (Ctrl-C to stop)`];
  if (external.length === 0 && !redisUrl && !amqpUrl) {
    lines.push('  mode       embedded: one PGlite database, in-process events, cache, pub/sub and jobs (no servers needed)');
  } else {
    lines.push(`  mode       with servers: ${[external.length ? 'PostgreSQL' : '', redisUrl ? 'Redis' : '', amqpUrl ? 'RabbitMQ' : ''].filter(Boolean).join(', ')}`);
    for (const [service, url] of external) lines.push(`  ${service.padEnd(10)} ${withoutPassword(url)}`);
    lines.push(`  redis      ${redisUrl ? withoutPassword(redisUrl) : 'embedded (in-process cache, pub/sub and jobs)'}`);
    lines.push(`  rabbitmq   ${amqpUrl ? withoutPassword(amqpUrl) : 'embedded (in-process events)'}`);
  }
  if (embedded.length > 0) lines.push(`  data       ${dataPath} (PGlite in pg/, a schema each: ${embedded.join(', ')})`);
  lines.push(
    loopback.has(host) ? `  listening  ${host}:${platform.port}, this machine only (HOST=0.0.0.0 opens it to the network)` : `  listening  ${host}:${platform.port}`,
  );
  return `\n${lines.join('\n')}\n\n`;
}
