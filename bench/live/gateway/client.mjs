#!/usr/bin/env node
/* eslint-disable no-console -- a command-line tool: printing is its job */
// Sends N message-sized POSTs at concurrency C through a proxy and prints the proxy process's
// CPU per request (user + system, from /proc) and the rate reached.
//   node client.mjs <proxy port> <proxy pid> [N, 15000] [C, 16]
/* global Buffer */
import fs from 'node:fs';
import http from 'node:http';

const [port, pid, n = 15_000, concurrency = 16] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const payload = JSON.stringify({ body: 'hello there, this is a bench message of ordinary length', clientMessageId: 'c-123456' });
const cpuMs = () => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in clock ticks of 10 ms
};
const one = () =>
  new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: 'Bearer a.b.c' };
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/conversations/0192f0a0-0000-7000-8000-000000000001/messages', agent, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
const run = async (count) => {
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < count) await one();
    }),
  );
};

await run(3000); // warm-up: JIT, connections
const cpu0 = cpuMs();
const t0 = Date.now();
await run(n);
const cpu1 = cpuMs();
console.log(JSON.stringify({ cpuUsPerRequest: +(((cpu1 - cpu0) * 1000) / n).toFixed(1), requestsPerSecond: Math.round(n / ((Date.now() - t0) / 1000)) }));
agent.destroy();
