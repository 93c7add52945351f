/**
 * The frame of one fault bench: a private Redis and (optionally) a private RabbitMQ node,
 * Parley distributed on them, rooms of users with their sockets; then the scenario; then
 * everything torn down whatever happened, the result printed and kept in bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPrivateRedis, type PrivateRedis } from '@parley/kit/testing';
import { deleteVhost, ensureVhost, isolatedUrls } from './isolation.ts';
import { log, startPlatform, type Platform, type PlatformOptions } from './platform.ts';
import { startPrivateRabbit, type PrivateRabbit } from './private-rabbitmq.ts';
import { root } from './processes.ts';
import type { RealtimeClient } from './realtime-client.ts';
import { connectClients, loadAverage, setUpRooms, type Rooms } from './rooms.ts';

export const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

export interface FaultContext {
  platform: Platform;
  redis: PrivateRedis;
  /** The private broker, when the run asked for one. */
  rabbit: PrivateRabbit | undefined;
  rooms: Rooms;
  clients: RealtimeClient[];
}

export interface FaultRunOptions {
  /** Short name: the databases' prefix and the results file (bench/results/faults-<name>.json). */
  name: string;
  rooms: number;
  roomSize: number;
  /** A RabbitMQ node of the run's own (it gets stopped); otherwise a vhost of the shared broker. */
  privateRabbit?: boolean;
  platform?: Omit<PlatformOptions, 'dbPrefix' | 'redisUrl' | 'amqpUrl'>;
  /** Whether every user gets a socket (default true). */
  sockets?: boolean;
}

/** Runs the scenario; its result is printed and stored; `pass` decides the exit code. */
export async function runFault(
  options: FaultRunOptions,
  scenario: (ctx: FaultContext) => Promise<{ pass: boolean; result: Record<string, unknown> }>,
): Promise<never> {
  const redis = await startPrivateRedis();
  let rabbit: PrivateRabbit | undefined;
  let platform: Platform | undefined;
  let clients: RealtimeClient[] = [];
  let exitCode = 1;
  let vhost: string | undefined;
  try {
    let amqpUrl: string;
    if (options.privateRabbit) {
      rabbit = await startPrivateRabbit();
      amqpUrl = rabbit.url;
      log(`private RabbitMQ ${rabbit.node} at ${rabbit.url}`);
    } else {
      amqpUrl = isolatedUrls(`bench_faults_${options.name}`, 0).amqp;
      deleteVhost(amqpUrl); // events a previous run left in its queues
      await ensureVhost({ redis: redis.url, amqp: amqpUrl });
      vhost = amqpUrl;
    }
    platform = await startPlatform({ ...options.platform, dbPrefix: `bench_faults_${options.name}`, redisUrl: redis.url, amqpUrl });
    log(`services up; logs in ${platform.logDir}`);
    const rooms = await setUpRooms(platform.api, options.name, options.rooms, options.roomSize);
    if (options.sockets !== false) clients = await connectClients(platform.api, rooms, platform.notificationsPorts);
    log(`${rooms.users.length} users in ${options.rooms} rooms, ${clients.length} sockets`);
    const started = new Date().toISOString();
    const loadAverageAtStart = loadAverage();
    const { pass, result } = await scenario({ platform, redis, rabbit, rooms, clients });
    const report = { scenario: options.name, started, ended: new Date().toISOString(), pass, ...result, loadAverageAtStart, loadAverageAtEnd: loadAverage() };
    console.log(JSON.stringify(report, null, 2));
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `faults-${options.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    exitCode = pass ? 0 : 1;
  } catch (error) {
    console.error(error);
  } finally {
    for (const client of clients) client.close();
    await platform?.close();
    await rabbit?.close();
    if (vhost) deleteVhost(vhost);
    await redis.close();
  }
  process.exit(exitCode);
}
