import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseConfigSchema, port } from '@parley/kit';
import { z } from 'zod';

/** The repository's apps/web/dist, wherever the process is started from. */
const repoWebDist = fileURLToPath(new URL('../../../apps/web/dist', import.meta.url));

const upstream = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: port(8080),
  /** GET /metrics of the gateway, and of the whole standalone process (every service's series, by `service`). */
  METRICS_PORT: port(9080),
  HOST: z.string().min(1).default('0.0.0.0'),
  ACCOUNTS_URL: upstream('http://127.0.0.1:4001'),
  GROUPS_URL: upstream('http://127.0.0.1:4002'),
  MESSAGES_URL: upstream('http://127.0.0.1:4003'),
  NOTIFICATIONS_URL: upstream('http://127.0.0.1:4004'),
  /** Trust X-Forwarded-For from a load balancer in front of the gateway. */
  TRUST_PROXY: z.stringbool().default(false),
  /** The built web app (apps/web's `vite build` output); a relative path is taken from the working directory. */
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .default(repoWebDist)
    .transform((dir) => resolve(dir)),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
