/**
 * Standalone memory (issue 10): starts Parley the way a user does (`npm start`, embedded
 * everything, a fresh temporary DATA_DIR, free ports), waits for /readyz and BENCH_IDLE_SECONDS
 * of idling, then reads the memory of the whole process tree from /proc: RSS (what `top` and the
 * issue count) and PSS (shared pages split between the processes that map them, so the tree's
 * sum is not inflated by node's shared libraries). Then some use (two users, a group, a direct
 * chat, BENCH_MESSAGES messages with mentions, history pages, searches, notifications), idle
 * again and measured again, with the platform's CPU time for that use. Stops it, starts it again
 * on the same data folder (a restart: migrations already applied) and measures again.
 *
 *   npx tsx bench/memory/run.ts    BENCH_LABEL=before|after (file name), BENCH_IDLE_SECONDS=10, BENCH_MESSAGES=400
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../lib/processes.ts';

const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const messages = Number(process.env.BENCH_MESSAGES ?? 400);
const label = process.env.BENCH_LABEL ?? 'memory';
const targetMb = 400;

interface ProcessMemory {
  pid: number;
  command: string;
  rssMb: number;
  pssMb: number;
  /** The node process running apps/standalone/src/main.ts itself (not npm, a shell or a launcher). */
  isPlatform: boolean;
}

interface Sample {
  phase: 'first start' | 'after use' | 'restart';
  /** Until /readyz answered; for 'after use', the use's wall time. */
  startSeconds: number;
  /** 'after use': the platform process's CPU time (user + system) over the use. */
  cpuSeconds?: number;
  treeRssMb: number;
  treePssMb: number;
  /** The process running apps/standalone/src/main.ts alone. */
  platformRssMb: number;
  processes: ProcessMemory[];
  /** The platform's own view (its /metrics): V8 heap and memory outside it (WASM, buffers). */
  node: Record<string, number>;
}

const mb = (kb: number) => Math.round(kb / 102.4) / 10;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** pid → parent pid for every process on the machine. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may contain spaces and parentheses: fields start after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

function tree(rootPid: number): number[] {
  const parentOf = parents();
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    for (const [pid, parent] of parentOf) if (parent === pids[i]) pids.push(pid);
  }
  return pids;
}

function memoryOf(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const command = argv.join(' ');
    const isPlatform = /(^|\/)node$/.test(argv[0] ?? '') && argv.at(-1) === 'apps/standalone/src/main.ts' && !command.includes('.bin/tsx');
    return { pid, command: command.slice(0, 120), rssMb: mb(kb(status, 'VmRSS')), pssMb: mb(kb(rollup, 'Pss')), isPlatform };
  } catch {
    return undefined;
  }
}

async function metricsOf(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const wanted = ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes'];
  const values: Record<string, number> = {};
  for (const name of wanted) {
    const match = new RegExp(`^${name}\\{[^}]*\\} (\\S+)`, 'm').exec(text);
    if (match) values[name.replace(/_bytes$/, '_mb')] = Math.round(Number(match[1]) / 1024 / 102.4) / 10;
  }
  return values;
}

async function waitReady(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Memory of the tree under rootPid right now, with the platform's own view of it. */
async function sample(phase: Sample['phase'], rootPid: number, metricsPort: number, startSeconds: number): Promise<Sample> {
  const processes = tree(rootPid).flatMap((pid) => memoryOf(pid) ?? []);
  const platform = processes.find((p) => p.isPlatform);
  const sum = (key: 'rssMb' | 'pssMb') => Math.round(processes.reduce((total, p) => total + p[key], 0) * 10) / 10;
  return {
    phase,
    startSeconds,
    treeRssMb: sum('rssMb'),
    treePssMb: sum('pssMb'),
    platformRssMb: platform?.rssMb ?? Number.NaN,
    processes,
    node: await metricsOf(`http://127.0.0.1:${metricsPort}/metrics`),
  };
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A small team's worth of use: what a first evening on a VPS might see. */
async function use(base: string): Promise<void> {
  const register = (name: string) => call(base, 'POST', '/api/v1/auth/register', { username: name, email: `${name}@example.test`, password: `${name}-password-1` });
  const alice = await register('alice');
  const bob = await register('bob');
  const group = await call(base, 'POST', '/api/v1/groups', { name: 'Team', memberIds: [bob.user.id] }, alice.accessToken);
  const direct = await call(base, 'POST', '/api/v1/conversations/direct', { userId: bob.user.id }, alice.accessToken);
  for (let i = 0; i < messages; i++) {
    const [from, to] = i % 2 === 0 ? [alice, bob] : [bob, alice];
    const conversation = i % 3 === 0 ? direct.id : group.id;
    const body = i % 10 === 0 ? `@${to.user.username} have a look at item ${i}, the parley notes` : `message ${i} about the weekly plan and the release`;
    await call(base, 'POST', `/api/v1/conversations/${conversation}/messages`, { body, clientMessageId: `m-${i}` }, from.accessToken);
    if (i % 20 === 0) {
      await call(base, 'GET', `/api/v1/conversations/${group.id}/messages?before=${i + 1}&limit=50`, undefined, to.accessToken);
      await call(base, 'GET', `/api/v1/search/messages?q=parley`, undefined, to.accessToken);
      await call(base, 'GET', '/api/v1/conversations', undefined, to.accessToken);
      await call(base, 'GET', '/api/v1/notifications', undefined, to.accessToken);
    }
  }
}

/** Generous limits: the use is one client sending as fast as it can. */
const GENEROUS = { RATE_LIMIT_PER_MINUTE: '100000000', AUTH_MAX_PER_IP: '100000000', SEND_RATE_PER_MINUTE: '100000000' };

async function measure(first: boolean, dataDir: string): Promise<Sample[]> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const started = Date.now();
  // Its own process group, so stopping it stops npm, the shell and node together.
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, ...GENEROUS, DATA_DIR: dataDir, PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const idle = () => new Promise((r) => setTimeout(r, idleSeconds * 1000));
  try {
    // The first run may build the web app first (minutes on a busy 2-core machine).
    await waitReady(child, `http://127.0.0.1:${port}/readyz`, 600_000);
    const startSeconds = (Date.now() - started) / 1000;
    await idle();
    const samples = [await sample(first ? 'first start' : 'restart', child.pid!, metricsPort, startSeconds)];
    if (first) {
      const platformPid = tree(child.pid!).find((pid) => memoryOf(pid)?.isPlatform);
      const cpuBefore = platformPid ? cpuSecondsOf(platformPid) : Number.NaN;
      const useStarted = Date.now();
      await use(`http://127.0.0.1:${port}`);
      const useSeconds = (Date.now() - useStarted) / 1000;
      const cpuSeconds = platformPid ? Math.round((cpuSecondsOf(platformPid) - cpuBefore) * 100) / 100 : Number.NaN;
      await idle();
      samples.push({ ...(await sample('after use', child.pid!, metricsPort, useSeconds)), cpuSeconds });
    }
    return samples;
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-memory-'));
try {
  const samples = [...(await measure(true, dataDir)), ...(await measure(false, dataDir))];
  const result = { label, at: new Date().toISOString(), idleSeconds, messages, targetMb, samples };
  const file = join(root, 'bench', 'results', `memory-${label}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  for (const s of samples) {
    const what =
      s.phase === 'after use'
        ? `${messages} messages in ${s.startSeconds.toFixed(1)} s (platform CPU ${s.cpuSeconds} s)`
        : `ready in ${s.startSeconds.toFixed(1)} s`;
    process.stdout.write(
      `${s.phase.padEnd(11)} ${what}; after ${idleSeconds} s idle: ` +
        `tree RSS ${s.treeRssMb} MB (PSS ${s.treePssMb} MB), platform process RSS ${s.platformRssMb} MB ` +
        `[${s.treeRssMb <= targetMb ? 'within' : 'over'} ${targetMb} MB]\n`,
    );
    for (const p of s.processes) process.stdout.write(`    ${String(p.rssMb).padStart(7)} MB RSS ${String(p.pssMb).padStart(7)} MB PSS  ${p.command}\n`);
    process.stdout.write(`    node: ${JSON.stringify(s.node)}\n`);
  }
  process.stdout.write(`written ${file}\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
