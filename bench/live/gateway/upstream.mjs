#!/usr/bin/env node
// A stand-in for a service behind the gateway: answers every request, after reading its body,
// with a 201 and a message-sized JSON body (what POST /conversations/:id/messages answers).
//   node upstream.mjs <port>
/* global Buffer */
import http from 'node:http';

const body = JSON.stringify({
  id: '0192f0a0-0000-7000-8000-000000000000',
  conversationId: '0192f0a0-0000-7000-8000-000000000001',
  senderId: '0192f0a0-0000-7000-8000-000000000002',
  body: 'hello there, this is a bench message of ordinary length',
  clientMessageId: 'c-123456',
  seq: 12,
  replyToId: null,
  mentions: [],
  attachments: [],
  reactions: [],
  createdAt: new Date().toISOString(),
  editedAt: null,
  deletedAt: null,
});
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = req.url === '/readyz' || req.url === '/healthz' ? 200 : 201;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  })
  .listen(Number(process.argv[2]), '127.0.0.1');
