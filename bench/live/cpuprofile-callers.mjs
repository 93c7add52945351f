#!/usr/bin/env node
/* eslint-disable no-console -- a command-line tool: printing is its job */
// Who calls a function in a V8 .cpuprofile: self time of every node named <function>, summed by
// the first caller frames outside node's internals (a syscall's owner: pg, ioredis, http, ...).
//   node bench/live/cpuprofile-callers.mjs <file.cpuprofile> <function> [depth, 4]
import { readFileSync } from 'node:fs';

const [file, target, depth = '4'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const short = (n) =>
  `${n.callFrame.functionName || '(anon)'}@${(n.callFrame.url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? n.callFrame.url.split('/').pop()) || 'native'}`;
const stacks = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  if (node.callFrame.functionName !== target) continue;
  const frames = [];
  for (let p = parent.get(id); p !== undefined && frames.length < Number(depth); p = parent.get(p)) {
    const f = byId.get(p);
    if (f.callFrame.url.startsWith('node:')) continue;
    frames.push(short(f));
  }
  const key = frames.join(' < ');
  stacks.set(key, (stacks.get(key) ?? 0) + us);
}
for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(((v / total) * 100).toFixed(1).padStart(5), '%', k);
