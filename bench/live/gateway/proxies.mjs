#!/usr/bin/env node
// The floors the gateway is compared with, each one process on its own port:
//   node proxies.mjs <port> <upstream port> node       a bare Node proxy (http.request + pipe, keep-alive)
//   node proxies.mjs <port> <upstream port> reply-from bare Fastify + @fastify/http-proxy (what the gateway uses)
//   node proxies.mjs <port> <upstream port> pipe       bare Fastify + a handler that pipes with http.request
import http from 'node:http';
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const [port, upstreamPort, kind] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
const forward = (method, url, headers, onResponse) => http.request({ host: '127.0.0.1', port: Number(upstreamPort), method, path: url, headers, agent }, onResponse);

if (kind === 'node') {
  http
    .createServer((req, res) => {
      const out = forward(req.method, req.url, req.headers, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      req.pipe(out);
    })
    .listen(Number(port), '127.0.0.1');
} else {
  const app = Fastify({ logger: false });
  const prefix = '/api/v1/conversations';
  if (kind === 'reply-from') {
    await app.register(proxy, { upstream: `http://127.0.0.1:${upstreamPort}`, prefix, rewritePrefix: prefix, disableRequestLogging: true });
  } else {
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      const handler = (request, reply) =>
        new Promise((resolve) => {
          const out = forward(request.method, request.url, { ...request.headers, 'x-forwarded-for': request.ip, 'x-request-id': request.id }, (answer) => {
            const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = answer.headers;
            resolve(reply.code(answer.statusCode).headers(headers).send(answer));
          });
          out.on('error', (error) => resolve(reply.code(503).send({ error: String(error) })));
          if (request.body?.pipe) request.body.pipe(out);
          else out.end();
        });
      scope.all(prefix, handler);
      scope.all(`${prefix}/*`, handler);
    });
  }
  await app.listen({ port: Number(port), host: '127.0.0.1' });
}
