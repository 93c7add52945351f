/**
 * Fault 7 (issue 12): PostgreSQL connections cut during load. Every service reaches PostgreSQL
 * through a TCP proxy of the bench's own (kit's startProxy; the shared server is never
 * stopped): after BEFORE_S seconds the proxy drops every connection and refuses new ones for
 * OUTAGE_S seconds, then accepts again. The load is a mix of sends, history pages, the chat list
 * and /users/me through the gateway at RATE requests/s, never retried.
 *
 * Judged, per phase (before, down, after): the answers by status; while down every failure is
 * a 503 with Retry-After, nothing hangs (no answer within HANG_MS counts as a hang); after the
 * restore everything succeeds again without restarting a service (recovery time: from the
 * restore to the first second whose requests all succeeded).
 *
 *   npx tsx bench/faults/postgres-cut.ts     (ROOMS, RATE, BEFORE_S, OUTAGE_S, AFTER_S, HANG_MS)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startProxy } from '@parley/kit/testing';
import { call } from '../lib/api.ts';
import { env, runFault } from '../lib/fault-run.ts';
import { log } from '../lib/platform.ts';
import { servers } from '../lib/processes.ts';

const ROOMS = env('ROOMS', 10);
const RATE = env('RATE', 50);
const BEFORE_S = env('BEFORE_S', 5);
const OUTAGE_S = env('OUTAGE_S', 10);
const AFTER_S = env('AFTER_S', 15);
const HANG_MS = env('HANG_MS', 10_000);

const proxy = await startProxy(servers.postgres);

type Phase = 'before' | 'down' | 'after';
interface Outcome {
  at: number;
  phase: Phase;
  kind: string;
  status: string;
  retryAfter: boolean;
  ms: number;
}

await runFault({ name: 'postgres', rooms: ROOMS, roomSize: 2, sockets: false, platform: { postgresUrl: proxy.url } }, async ({ platform, rooms }) => {
  const outcomes: Outcome[] = [];
  const outage: Record<string, number> = {};
  let phase: Phase = 'before';
  const t0 = performance.now();
  const at = (): number => (performance.now() - t0) / 1000;
  const requests: ((room: number, n: number) => { kind: string; method: string; path: string; body?: unknown })[] = [
    (r: number, n: number) => ({
      kind: 'send',
      method: 'POST',
      path: `/api/v1/conversations/${rooms.conversationIds[r]}/messages`,
      body: { body: `pg ${n}`, clientMessageId: `pg-${n}` },
    }),
    (r: number) => ({ kind: 'history', method: 'GET', path: `/api/v1/conversations/${rooms.conversationIds[r]}/messages?after=0` }),
    () => ({ kind: 'chats', method: 'GET', path: '/api/v1/conversations' }),
    () => ({ kind: 'me', method: 'GET', path: '/api/v1/users/me' }),
  ];
  const one = async (n: number): Promise<void> => {
    const room = n % ROOMS;
    const request = requests[n % requests.length]!(room, n);
    const started = performance.now();
    const startedPhase = phase;
    let status: string;
    let retryAfter = false;
    try {
      const res = await Promise.race([
        call(platform.api, request.method, request.path, rooms.members[room]![0]!.token, request.body),
        sleep(HANG_MS).then(() => undefined),
      ]);
      status = res ? String(res.status) : 'hang';
      retryAfter = res?.headers.has('retry-after') ?? false;
    } catch {
      status = 'network';
    }
    outcomes.push({ at: (started - t0) / 1000, phase: startedPhase, kind: request.kind, status, retryAfter, ms: Math.round(performance.now() - started) });
  };
  const timeline = (async () => {
    await sleep(BEFORE_S * 1000);
    await proxy.cut();
    phase = 'down';
    outage.cutAtS = at();
    log('PostgreSQL cut');
    await sleep(OUTAGE_S * 1000);
    await proxy.restore();
    phase = 'after';
    outage.restoredAtS = at();
    log('PostgreSQL restored');
  })();

  const inFlight = new Set<Promise<void>>();
  const total = (BEFORE_S + OUTAGE_S + AFTER_S) * RATE;
  for (let n = 0; n < total; n += 1) {
    const wait = t0 + (n * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const p = one(n).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  await timeline;

  const byPhase = (p: Phase) => {
    const of = outcomes.filter((o) => o.phase === p);
    const statuses: Record<string, number> = {};
    for (const o of of) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    const failures = of.filter((o) => !o.status.startsWith('2'));
    return {
      requests: of.length,
      statuses,
      failuresNot503WithRetryAfter: failures.filter((o) => o.status !== '503' || !o.retryAfter).length,
      hangs: of.filter((o) => o.status === 'hang').length,
      worstMs: Math.max(0, ...of.map((o) => o.ms)),
    };
  };
  // Recovery: the first whole second after the restore from which every request succeeded.
  const after = outcomes.filter((o) => o.phase === 'after').sort((a, b) => a.at - b.at);
  const lastFailure = after.filter((o) => !o.status.startsWith('2')).at(-1);
  const recoveredAfterS = lastFailure ? Math.round((lastFailure.at - outage.restoredAtS!) * 10) / 10 : 0;
  const result = {
    settings: { rooms: ROOMS, rate: RATE, beforeS: BEFORE_S, outageS: OUTAGE_S, afterS: AFTER_S, hangMs: HANG_MS },
    cut: 'TCP proxy in front of the shared PostgreSQL: every connection dropped, new ones refused',
    outage,
    before: byPhase('before'),
    down: byPhase('down'),
    after: byPhase('after'),
    recoveredSecondsAfterRestore: recoveredAfterS,
    failuresInLastFiveSeconds: after.filter((o) => o.at > at() - 5 && !o.status.startsWith('2')).length,
    failuresDownByKind: Object.fromEntries(
      requests.map((r) => r(0, 0).kind).map((kind) => [kind, outcomes.filter((o) => o.phase === 'down' && o.kind === kind && !o.status.startsWith('2')).length]),
    ),
  };
  const down = result.down;
  // A request started just before the cut may be answered during it: every phase is held to the
  // same rule (a failure is a 503 with Retry-After), and the end of the run to full success.
  const phases = [result.before, down, result.after];
  const pass = phases.every((p) => p.failuresNot503WithRetryAfter === 0 && p.hangs === 0) && result.failuresInLastFiveSeconds === 0;
  await proxy.close();
  return { pass, result };
});
