#!/usr/bin/env node
/* eslint-disable no-console -- a command-line tool: printing is its job */
/* global setTimeout */
// Redis commands and PostgreSQL row operations per message sent, over a window of the send phase
// of Parley distributed as bench-peers' parley-dist.sh runs it (Redis db 9, bench_parley_* databases):
//   node bench/live/server-ops.mjs <seconds>      (start it once the generator is sending)
// Redis: every command MONITOR shows on db 9 (commands run inside scripts included), grouped by
// command and key pattern; the messages sent are the `PUBLISH live:messages` seen (one per message).
// PostgreSQL: pg_stat_database deltas (commits, rows inserted/updated/deleted/read) per database.
// MONITOR costs Redis CPU: use this for counts, never for timings.
import { execFileSync, spawn } from 'node:child_process';

const seconds = Number(process.argv[2] ?? 15);
const pgStats = () =>
  Object.fromEntries(
    execFileSync('psql', [
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-AtF,',
      '-c',
      "SELECT datname, xact_commit, tup_inserted, tup_updated, tup_deleted, tup_fetched FROM pg_stat_database WHERE datname LIKE 'bench_parley_%'",
    ])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, ...values] = line.split(',');
        return [name.replace('bench_parley_', ''), values.map(Number)];
      }),
  );

const before = pgStats();
const monitor = spawn('redis-cli', ['monitor']);
let text = '';
monitor.stdout.on('data', (chunk) => (text += chunk));
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
monitor.kill();
const after = pgStats();

const counts = new Map();
let messages = 0;
for (const line of text.split('\n')) {
  if (!line.includes('[9 ')) continue;
  const parts = line.split('"');
  const command = (parts[1] ?? '?').toLowerCase();
  const key = (parts[3] ?? '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d+/g, 'N')
    .slice(0, 60);
  if (command === 'publish' && key === 'live:messages') messages += 1;
  counts.set(`${command} ${key}`, (counts.get(`${command} ${key}`) ?? 0) + 1);
}
if (messages === 0) throw new Error('no PUBLISH live:messages seen: start this during the send phase');
const total = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(`${messages} messages in ${seconds} s; Redis commands executed per message: ${(total / messages).toFixed(1)}`);
for (const [what, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${(n / messages).toFixed(2).padStart(6)}  ${what}`);
for (const [db, values] of Object.entries(after)) {
  const [commits, inserted, updated, deleted, fetched] = values.map((v, i) => (v - (before[db]?.[i] ?? 0)) / messages);
  console.log(
    `PostgreSQL ${db}: per message ${commits.toFixed(2)} commits, ${inserted.toFixed(2)} rows inserted, ${updated.toFixed(2)} updated, ${deleted.toFixed(2)} deleted, ${fetched.toFixed(1)} read`,
  );
}
