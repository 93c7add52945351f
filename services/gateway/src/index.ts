export { createGateway } from './app.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
