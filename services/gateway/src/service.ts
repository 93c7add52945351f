import { defineService, listenHttp } from '@parley/kit';
import { createGateway } from './app.ts';
import { gatewayConfigSchema } from './config.ts';

/** The gateway as every host builds it (main.ts, apps/standalone): the services it fronts are the URLs of its config. */
export const gatewayService = defineService({
  name: 'gateway',
  config: gatewayConfigSchema,
  listens: ['PORT'],
  needs: {},
  async create({ config, logger, metrics }) {
    const upstreams = { accounts: config.ACCOUNTS_URL, groups: config.GROUPS_URL, messages: config.MESSAGES_URL, notifications: config.NOTIFICATIONS_URL };
    const gateway = await createGateway(config, logger, upstreams, metrics);
    return {
      http: gateway,
      start: async () => ({ httpPort: await listenHttp(gateway, config.HOST, config.PORT) }),
      stop: () => gateway.close(),
    };
  },
});
