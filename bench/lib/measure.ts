/**
 * Measuring helpers shared by benchmarks: an autocannon run that keeps every response time
 * (autocannon's own histogram has 1 ms resolution; ours is exact), CPU accounting per process
 * from /proc, and the machine's load average.
 */
import type { EventEmitter } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { percentile } from './processes.ts';

export interface LoadResult {
  /** Completed requests per second over the measured run (all statuses). */
  requestsPerSecond: number;
  /** 2xx answers per second. */
  okPerSecond: number;
  total: number;
  ok: number;
  non2xx: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  connections: number;
  /** Latency of 2xx answers, milliseconds. */
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
  meanms: number;
}

export type AutocannonOptions = Parameters<typeof autocannon>[0];

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs autocannon with options and summarises latencies of every 2xx answer exactly. */
export async function runLoad(options: AutocannonOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  // Without a callback autocannon answers a promise that is also its event emitter (the types know only the promise).
  const instance = autocannon(options);
  (instance as unknown as EventEmitter).on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  const duration = result.duration;
  return {
    requestsPerSecond: Math.round(total / duration),
    okPerSecond: Math.round(latencies.length / duration),
    total,
    ok: latencies.length,
    non2xx: result.non2xx,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: duration,
    connections: options.connections ?? 10,
    p50ms: round(percentile(latencies, 50)),
    p90ms: round(percentile(latencies, 90)),
    p99ms: round(percentile(latencies, 99)),
    maxms: round(latencies.at(-1) ?? Number.NaN),
    meanms: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
  };
}

const CLOCK_TICKS = 100;

/** user+system CPU seconds of one process, or 0 when it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Pids whose /proc/<pid>/comm is one of names. */
function pidsNamed(names: readonly string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (names.includes(comm)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Busy and total jiffies of the whole machine (all cores). */
function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuGroups {
  /** Our own service processes by label. */
  services: Record<string, number>;
}

/**
 * Where the CPU went during a run, in per cent of one core: each of our services, this process
 * (the load generator), PostgreSQL (every backend, ours or not), Redis, RabbitMQ, and the whole
 * machine (cores × 100 %), which includes anyone else's work.
 */
export function cpuMeter(groups: CpuGroups) {
  const external = {
    postgres: ['postgres'],
    redis: ['redis-server'],
    rabbitmq: ['beam.smp'],
  } as const;
  /** CPU seconds per label and per pid: processes that come and go (PostgreSQL backends) are compared pid by pid. */
  const snapshot = () => {
    const perPid: Record<string, Map<number, number>> = {};
    for (const [label, pid] of Object.entries(groups.services)) perPid[label] = new Map([[pid, cpuSecondsOf(pid)]]);
    const own = process.cpuUsage();
    perPid.loadGenerator = new Map([[process.pid, (own.user + own.system) / 1e6]]);
    for (const [label, names] of Object.entries(external)) {
      perPid[label] = new Map(pidsNamed(names).map((pid) => [pid, cpuSecondsOf(pid)]));
    }
    return { perPid, machine: machineJiffies(), at: performance.now() };
  };
  let start = snapshot();
  return {
    reset() {
      start = snapshot();
    },
    /**
     * Per cent of one core per label since the last reset. A process that started meanwhile counts
     * from zero; the last moments of one that exited meanwhile are missed.
     */
    read(): Record<string, number> {
      const end = snapshot();
      const seconds = (end.at - start.at) / 1000;
      const out: Record<string, number> = {};
      for (const [label, pids] of Object.entries(end.perPid)) {
        let used = 0;
        for (const [pid, value] of pids) used += Math.max(0, value - (start.perPid[label]?.get(pid) ?? 0));
        out[label] = Math.round((100 * used) / seconds);
      }
      const machine = end.machine;
      // Every core of the machine, not only those this process may run on (a bench may pin it).
      out.machineTotal = Math.round((100 * cpus().length * (machine.busy - start.machine.busy)) / Math.max(1, machine.total - start.machine.total));
      return out;
    },
  };
}

export const loadAverage = (): [number, number, number] => loadavg().map((n) => Math.round(n * 100) / 100) as [number, number, number];
