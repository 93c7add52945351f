#!/usr/bin/env node
/* eslint-disable no-console -- a command-line tool: printing is its job */
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file area.
//   node bench/live/cpuprofile-top.mjs <file.cpuprofile> [rows]
import { readFileSync } from 'node:fs';

const [file, rows = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const area = (url) => {
  if (!url) return '(native/V8)';
  const m = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.startsWith('node:')) return url.split('/')[0];
  const s = url.match(/(services\/[^/]+|packages\/[^/]+|apps\/[^/]+)/);
  return s ? s[1] : url;
};
const fn = new Map(),
  ar = new Map();
let idle = 0;
for (const [id, us] of self) {
  const { callFrame } = byId.get(id);
  const name = callFrame.functionName || '(anonymous)';
  if (name === '(idle)') {
    idle += us;
    continue;
  }
  const key = `${name} ${area(callFrame.url)}${callFrame.url && !callFrame.url.includes('node_modules') ? ':' + callFrame.url.split('/').pop() : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  ar.set(area(callFrame.url), (ar.get(area(callFrame.url)) ?? 0) + us);
}
const busy = total - idle;
const pct = (us) => ((us / total) * 100).toFixed(1).padStart(5) + ' %';
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy)})`);
console.log('-- by area (self time, % of wall)');
for (const [k, v] of [...ar].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) console.log(pct(v), k);
console.log('-- by function');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) console.log(pct(v), k);
