import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { relayedEventTypes, type ServerFrameType } from '@parley/contracts';
import { createLogger, loadConfig, type HttpServer } from '@parley/kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../src/app.ts';
import { gatewayConfigSchema } from '../src/config.ts';

/** An upstream that records what reached it and serves a tiny OpenAPI document. */
function fakeUpstream(seen: IncomingHttpHeaders[]): Server {
  return createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/openapi.json') {
      res.end(JSON.stringify({ openapi: '3.0.3', paths: { '/api/v1/users/me': { get: {} } } }));
    } else if (req.url === '/readyz') {
      res.end('{"status":"ready"}');
    } else {
      res.end(JSON.stringify({ path: req.url }));
    }
  });
}

describe('gateway', () => {
  const seen: IncomingHttpHeaders[] = [];
  const upstream = fakeUpstream(seen);
  let gateway: HttpServer;
  let base: string;
  const logLines: string[] = [];
  const logs = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const config = loadConfig(gatewayConfigSchema, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    gateway = await createGateway(config, createLogger('gateway', 'info', logs), {
      accounts: upstreamUrl,
      groups: upstreamUrl,
      messages: upstreamUrl,
      notifications: upstreamUrl,
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await gateway.close();
    upstream.close();
  });

  it('when a client sends its own X-Forwarded-For, the service sees the real client address instead', async () => {
    const res = await fetch(`${base}/api/v1/users/me`, { headers: { 'x-forwarded-for': '6.6.6.6', 'x-request-id': 'req-123' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: '/api/v1/users/me' });
    const headers = seen.at(-1)!;
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-request-id']).toBe('req-123');
  });

  it('serves one OpenAPI document merged from the services', async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/users/me');
  });

  it('links the WebSocket protocol from the OpenAPI document and serves its AsyncAPI description, one message per frame type', async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { info: { description: string } };
    expect(doc.info.description).toContain('/api/v1/asyncapi.json');
    expect(doc.info.description).not.toContain('API.md');
    const res = await fetch(`${base}/api/v1/asyncapi.json`);
    expect(res.status).toBe(200);
    const ws = (await res.json()) as { asyncapi: string; channels: { ws: { messages: Record<string, { payload: any }> } } };
    expect(ws.asyncapi).toBe('3.0.0');
    const messages = ws.channels.ws.messages;
    const frameTypes: ServerFrameType[] = [...relayedEventTypes, 'ready', 'pong', 'error', 'typing', 'presence', 'notification', 'resync'];
    for (const type of frameTypes) expect(Object.keys(messages)).toContain(`server.${type}`);
    for (const type of ['auth', 'typing', 'ping']) expect(Object.keys(messages)).toContain(`client.${type}`);
    // message.created carries {message, mentions}; the services' routing hint does not reach clients.
    const created = messages['server.message.created']!.payload.properties.data;
    expect(Object.keys(created.properties).sort()).toEqual(['mentions', 'message']);
  });

  it('answers unknown routes with a problem+json 404, and is ready when its upstreams are', async () => {
    const res = await fetch(`${base}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
  });

  it("logs one access line per proxied request, at info, with its request id once, and none of the proxy library's own", async () => {
    logLines.length = 0;
    await fetch(`${base}/api/v1/users/me`, { headers: { 'x-request-id': 'log-line-1' } });
    await vi.waitFor(() => expect(logLines.some((line) => line.includes('log-line-1'))).toBe(true));
    const lines = logLines.filter((line) => line.includes('log-line-1'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"requestId"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      service: 'gateway',
      requestId: 'log-line-1',
      method: 'GET',
      url: '/api/v1/users/me',
      status: 200,
      msg: 'request',
    });
  });
});

describe('the gateway configuration', () => {
  it("binds loopback unless HOST says otherwise, and reads the services' own limits and origins with their defaults", async () => {
    const { accountsConfigSchema } = await import('../../accounts/src/config.ts');
    const { messagesConfigSchema } = await import('../../messages/src/config.ts');
    const { notificationsConfigSchema } = await import('../../notifications/src/config.ts');
    const gateway = loadConfig(gatewayConfigSchema, {});
    expect(gateway.HOST).toBe('127.0.0.1');
    expect(gateway.FILE_MAX_BYTES).toBe(loadConfig(messagesConfigSchema, {}).FILE_MAX_BYTES);
    expect(gateway.AVATAR_MAX_BYTES).toBe(loadConfig(accountsConfigSchema, {}).AVATAR_MAX_BYTES);
    expect(gateway.WS_ALLOWED_ORIGINS).toEqual(loadConfig(notificationsConfigSchema, {}).WS_ALLOWED_ORIGINS);
    const env = { FILE_MAX_BYTES: '1000', AVATAR_MAX_BYTES: '2048', WS_ALLOWED_ORIGINS: 'https://chat.example.com' };
    expect(loadConfig(gatewayConfigSchema, env)).toMatchObject({ FILE_MAX_BYTES: 1000, AVATAR_MAX_BYTES: 2048, WS_ALLOWED_ORIGINS: ['https://chat.example.com'] });
  });
});
