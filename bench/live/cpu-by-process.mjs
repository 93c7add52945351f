#!/usr/bin/env node
/* eslint-disable no-console -- a command-line tool: printing is its job */
/* global setTimeout */
// CPU by process of the distributed stack that bench-peers' parley-dist.sh runs, over a window:
//   node bench/live/cpu-by-process.mjs <seconds> [run-dir] [messages/s]
// Without the rate, the messages stored in the window (bench_parley_messages) give it.
// Reads utime+stime of every process from /proc at the start and the end of the window and prints
// % of one core per group: each Parley service (by its pid file), PostgreSQL backends serving the
// bench databases (bench_parley_*), all other PostgreSQL processes, Redis, RabbitMQ. With the
// offered rate it also prints the CPU per message. PostgreSQL, Redis and RabbitMQ are shared
// with other work on the machine: their figures are upper bounds.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const [seconds = '20', runDir = '/tmp/live-bench-peers/.run', rate] = process.argv.slice(2);
const TICK = 100; // USER_HZ

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};
function processes() {
  const list = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const cmd = read(`/proc/${name}/cmdline`);
    if (!stat || cmd === undefined) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    list.push({ pid: Number(name), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), cmd: cmd.replace(/\0/g, ' ') });
  }
  return list;
}
function groups() {
  const procs = processes();
  const byParent = new Map();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const tree = (pid) => [pid, ...(byParent.get(pid) ?? []).flatMap((c) => tree(c.pid))];
  const out = new Map();
  const add = (group, pids) => out.set(group, [...(out.get(group) ?? []), ...pids]);
  let files = [];
  try {
    files = readdirSync(runDir).filter((f) => /^parley-.*\.pid$/.test(f));
  } catch {
    /* not running */
  }
  for (const f of files) add(f.slice(7, -4), tree(Number(read(`${runDir}/${f}`))));
  for (const p of procs) {
    if (p.cmd.startsWith('postgres:') && p.cmd.includes('bench_parley')) add('postgres (bench dbs)', [p.pid]);
    else if (p.cmd.startsWith('postgres:') || p.cmd.includes('bin/postgres')) add('postgres (other)', [p.pid]);
    else if (p.cmd.startsWith('redis-server')) add('redis', [p.pid]);
    else if (p.cmd.includes('beam.smp')) add('rabbitmq', [p.pid]);
  }
  const ticks = new Map(procs.map((p) => [p.pid, p.ticks]));
  return { out, ticks };
}
const stored = () => {
  try {
    return Number(
      execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-At', '-d', 'bench_parley_messages', '-c', 'SELECT count(*) FROM messages'], {
        encoding: 'utf8',
      }).trim(),
    );
  } catch {
    return NaN;
  }
};
const before = groups();
const storedBefore = rate ? NaN : stored();
const t0 = Date.now();
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const after = groups();
const elapsed = (Date.now() - t0) / 1000;
const measuredRate = rate ? Number(rate) : (stored() - storedBefore) / elapsed;
let total = 0;
const rows = [];
for (const [group, pids] of after.out) {
  let ticks = 0;
  // Processes born in the window count from 0; those gone are not seen (short-lived ones are rare here).
  for (const pid of new Set(pids)) ticks += (after.ticks.get(pid) ?? 0) - (before.ticks.get(pid) ?? 0);
  const pct = (ticks / TICK / elapsed) * 100;
  total += pct;
  rows.push([group, pct]);
}
rows.sort((a, b) => b[1] - a[1]);
const perMsg = (pct) => (measuredRate > 0 ? ` ${(((pct / 100) * 1000) / measuredRate).toFixed(3)} ms/msg` : '');
for (const [group, pct] of rows) console.log(`${group.padEnd(22)} ${pct.toFixed(1).padStart(6)} %${perMsg(pct)}`);
console.log(`${'total'.padEnd(22)} ${total.toFixed(1).padStart(6)} %${perMsg(total)}  (${elapsed.toFixed(1)} s, ${measuredRate.toFixed(1)} msg/s)`);
