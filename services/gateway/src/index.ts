export { createGateway } from './app.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
export { gatewayService } from './service.ts';
