/**
 * A benchmark's own corner of the shared Redis and RabbitMQ. Services in distributed mode use
 * fixed names (the `parley.events` exchange, durable queues such as `messages.groups`, BullMQ
 * queues, cache keys), so a benchmark on vhost `/` and Redis db 0 would compete for events and
 * jobs with anything else running on the machine (a dev stack, another benchmark) and leave
 * events in their queues. A RabbitMQ vhost and a Redis database of its own avoid both.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { Connection } from 'rabbitmq-client';
import { servers } from './processes.ts';

export interface Isolated {
  redis: string;
  amqp: string;
}

/** Redis db `redisDb` and RabbitMQ vhost `vhost` on the bench servers (env BENCH_REDIS_URL / BENCH_AMQP_URL hosts). */
export function isolatedUrls(vhost: string, redisDb: number): Isolated {
  const redis = new URL(servers.redis);
  redis.pathname = `/${redisDb}`;
  const amqp = new URL(servers.amqp);
  amqp.pathname = `/${encodeURIComponent(vhost)}`;
  return { redis: redis.toString(), amqp: amqp.toString() };
}

/** Whether an AMQP connection to `url` opens within 3 s. */
export async function canConnect(url: string): Promise<boolean> {
  const connection = new Connection({
    url,
    retryLow: 100,
    retryHigh: 200,
    acquireTimeout: 3000,
  });
  connection.on('error', () => undefined);
  try {
    await connection.onConnect(3000, true);
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Makes sure the vhost exists (creating it with rabbitmqctl, which needs the broker's admin
 * rights on this machine, and giving the URL's user full rights in it).
 */
export async function ensureVhost(isolated: Isolated): Promise<void> {
  if (await canConnect(isolated.amqp)) return;
  const url = new URL(isolated.amqp);
  const vhost = decodeURIComponent(url.pathname.slice(1));
  const user = decodeURIComponent(url.username || 'guest');
  for (const args of [
    ['add_vhost', vhost],
    ['set_permissions', '-p', vhost, user, '.*', '.*', '.*'],
  ]) {
    const result = spawnSync('rabbitmqctl', args, {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) {
      throw new Error(
        `RabbitMQ vhost ${vhost} is missing and rabbitmqctl ${args.join(' ')} failed (${result.error?.message ?? result.stderr}). ` +
          `Create it once: rabbitmqctl add_vhost ${vhost} && rabbitmqctl set_permissions -p ${vhost} ${user} ".*" ".*" ".*"`,
      );
    }
  }
  if (!(await canConnect(isolated.amqp))) throw new Error(`cannot connect to ${isolated.amqp} after creating the vhost`);
}

/** Empties the bench's Redis database (never db 0, which others use). */
export async function flushRedisDb(url: string): Promise<void> {
  if (new URL(url).pathname.replace('/', '') in { '': 1, '0': 1 }) throw new Error(`refusing to flush Redis db 0 (${url})`);
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    await redis.quit();
  }
}

/** Deletes a vhost of the bench broker with everything in it (rabbitmqctl); absent is fine. */
export function deleteVhost(amqpUrl: string): void {
  const vhost = decodeURIComponent(new URL(amqpUrl).pathname.slice(1));
  if (vhost === '' || vhost === '/') throw new Error('refusing to delete the default vhost');
  spawnSync('rabbitmqctl', ['delete_vhost', vhost], { stdio: 'ignore', timeout: 60_000 });
}
