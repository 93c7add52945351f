import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseConfigSchema, DEFAULT_WS_ALLOWED_ORIGINS, originList, port } from '@parley/kit';
import { z } from 'zod';

/** The repository's apps/web/dist, wherever the process is started from. */
const repoWebDist = fileURLToPath(new URL('../../../apps/web/dist', import.meta.url));

const upstream = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);

export const gatewayConfigSchema = baseConfigSchema.extend({
  // HOST: the base default, loopback. The gateway is the one public origin, and opening it to
  // the network is a choice (HOST=0.0.0.0), made explicitly by containers and operators.
  PORT: port(8080),
  /** GET /metrics of the gateway, and of the whole standalone process (every service's series, by `service`). */
  METRICS_PORT: port(9080),
  ACCOUNTS_URL: upstream('http://127.0.0.1:4001'),
  GROUPS_URL: upstream('http://127.0.0.1:4002'),
  MESSAGES_URL: upstream('http://127.0.0.1:4003'),
  NOTIFICATIONS_URL: upstream('http://127.0.0.1:4004'),
  /** Trust X-Forwarded-For from a load balancer in front of the gateway. */
  TRUST_PROXY: z.stringbool().default(false),
  /** Browser origins allowed to open /ws: the same variable, default and rule as the notifications service's. */
  WS_ALLOWED_ORIGINS: originList(DEFAULT_WS_ALLOWED_ORIGINS),
  /** The messages service's upload limit (same variable and default): bounds POST /api/v1/files bodies, plus multipart framing. */
  FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  /** The accounts service's avatar limit (same variable and default): bounds PUT /api/v1/users/me/avatar bodies, plus multipart framing. */
  AVATAR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /** The built web app (apps/web's `vite build` output); a relative path is taken from the working directory. */
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .default(repoWebDist)
    .transform((dir) => resolve(dir)),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
