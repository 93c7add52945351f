import { baseConfigSchema, port } from '@parley/kit';
import { z } from 'zod';

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
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
