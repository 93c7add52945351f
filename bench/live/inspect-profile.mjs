#!/usr/bin/env node
/* eslint-disable no-console -- a command-line tool: printing is its job */
/* global setTimeout, fetch */
// CPU profile of a running Node process, without restarting it with --cpu-prof (which
// NODE_OPTIONS does not allow): opens its inspector (SIGUSR1), records with the Profiler domain
// for a while, and writes a .cpuprofile (read it with cpuprofile-top.mjs or Chrome DevTools).
//   node bench/live/inspect-profile.mjs <pid> <seconds> <out.cpuprofile> [inspector port, 9229]
// One process at a time: SIGUSR1 opens the inspector on the default port.
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

const [pid, seconds = '15', out = `/tmp/profile-${pid}.cpuprofile`, port = '9229'] = process.argv.slice(2);
process.kill(Number(pid), 'SIGUSR1');
let targets;
for (let i = 0; i < 50 && !targets; i++) {
  await new Promise((r) => setTimeout(r, 100));
  targets = await fetch(`http://127.0.0.1:${port}/json/list`)
    .then((r) => r.json())
    .catch(() => undefined);
}
if (!targets?.length) throw new Error('no inspector target');
const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
let next = 0;
const pending = new Map();
ws.on('message', (data) => {
  const msg = JSON.parse(String(data));
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const call = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++next;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
await call('Profiler.enable');
await call('Profiler.setSamplingInterval', { interval: 500 });
await call('Profiler.start');
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const { result } = await call('Profiler.stop');
writeFileSync(out, JSON.stringify(result.profile));
// Close the inspector again so the process goes on as before.
ws.send(JSON.stringify({ id: ++next, method: 'Runtime.evaluate', params: { expression: 'process._debugEnd()' } }));
await new Promise((r) => setTimeout(r, 200));
ws.close();
console.log(`wrote ${out}`);
