import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../domain/context.ts';

export const clientInfoOf = (request: FastifyRequest): ClientInfo => ({
  ip: request.ip,
  device: String(request.headers['user-agent'] ?? '').slice(0, 200),
});
