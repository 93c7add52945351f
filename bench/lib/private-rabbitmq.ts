/**
 * A RabbitMQ node of the bench's own (never the shared broker): its own node name, AMQP and
 * distribution ports and data directory under /tmp. `stop()` stops the broker application
 * (every connection closed, the port refusing new ones, unacknowledged deliveries back in their
 * queues) while the Erlang VM stays up, so `start()` brings it back in about a second, like a
 * broker restart without the VM's own boot time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@parley/kit/testing';
import { canConnect } from './isolation.ts';

export interface PrivateRabbit {
  url: string;
  node: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const BOOT_TIMEOUT_MS = 120_000;

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-rabbit-'));
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n'); // no management plugin (it would take port 15672)
  // rabbitmq-server runs as the rabbitmq user when started by root: it must own its directory.
  try {
    execFileSync('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
  } catch {
    // not root, or no such user: the server runs as us
  }
  const [amqpPort, distPort] = [await freePort(), await freePort()];
  const node = `parley${process.pid}@localhost`;
  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  const ctl = (...args: string[]): void => {
    execFileSync('rabbitmqctl', ['-n', node, ...args], { stdio: 'ignore', timeout: 60_000 });
  };
  const child = spawn('rabbitmq-server', [], {
    cwd: dir,
    env: {
      ...process.env,
      RABBITMQ_NODENAME: node,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(dir, 'none'),
      RABBITMQ_PID_FILE: join(dir, 'pid'),
    },
    stdio: 'ignore',
  });
  const waitUp = async (): Promise<void> => {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (!(await canConnect(url))) {
      if (child.exitCode !== null) throw new Error(`rabbitmq-server exited (${child.exitCode}); see ${dir}/log`);
      if (Date.now() > deadline) throw new Error(`private RabbitMQ not up in ${BOOT_TIMEOUT_MS / 1000} s; see ${dir}/log`);
      await sleep(500);
    }
  };
  const close = async (): Promise<void> => {
    try {
      ctl('stop');
    } catch {
      child.kill('SIGTERM');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUp();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url,
    node,
    async stop() {
      ctl('stop_app');
    },
    async start() {
      ctl('start_app');
      await waitUp();
    },
    close,
  };
}
