/**
 * Benchmark of issue 3 at the messages service, on the database bench:messages:seed made
 * (1,000,000 messages over 1,000 conversations of mb_reader):
 *
 *   npm run bench:messages     (writes bench/results/messages.json, bench/messages/EXPLAIN.md
 *                               and the "Messages (issue 3)" section of bench/RESULTS.md)
 *
 * accounts, groups and messages run as their own processes (distributed mode) on real
 * PostgreSQL, Redis and RabbitMQ; autocannon in this process drives the messages service
 * directly (no gateway) and every response time is kept. Scenarios, each after a 3 s warm-up,
 * at several connection counts:
 *   history   GET /conversations/:id/messages?before=<random seq>&limit=50, random conversation
 *   search    GET /search/messages?q=<rare term> and ?q=<common term>: over all 1,000 conversations
 *             (the reader), over the few conversations of the seeded user in the fewest ("few"),
 *             and within the median conversation (conversationId, "in-conversation")
 *   send      POST /conversations/:id/messages, random conversation, unique clientMessageId:
 *             HTTP, the transaction (seq, message, outbox row), the relay to RabbitMQ. Afterwards:
 *             the outbox must drain, and every message.created must arrive in a queue of ours.
 * Then EXPLAIN (ANALYZE, BUFFERS) of the statements behind each figure, and the messages the
 * run sent are deleted again (last_seq restored), so runs can be repeated on one seed.
 *
 * Settings: BENCH_DURATION (s, default 15), BENCH_READ_CONNECTIONS (default "1,8,32"),
 * BENCH_SEND_CONNECTIONS (default "8,32,64"), BENCH_ONLY (a regular expression: only the
 * scenarios it matches, e.g. "^send"; such a partial run skips the EXPLAINs and writes only
 * bench/results/messages-partial.json, leaving RESULTS.md and EXPLAIN.md alone), BENCH_PROFILE=1 (a V8 CPU profile of the messages process;
 * its summary goes to bench/results/messages-profile.json, and RESULTS.md / EXPLAIN.md /
 * messages.json are left alone, since profiling slows the service down), BENCH_MESSAGES_NODE_OPTIONS
 * (NODE_OPTIONS of the messages process, e.g. --perf-basic-prof-only-functions so that Linux perf
 * names its JavaScript frames).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Connection } from 'rabbitmq-client';
import { cpuMeter, loadAverage, runLoad, type AutocannonOptions, type LoadResult } from '../lib/measure.ts';
import { summariseProfile } from '../lib/cpuprofile.ts';
import { ensureVhost } from '../lib/isolation.ts';
import { root, servers } from '../lib/processes.ts';
import { explainAll, explainMarkdown, type Explained } from './explain.ts';
import { inParallel } from '../lib/parallel.ts';
import { call, DATABASES, databaseUrlOf, ISOLATED, PASSWORD, READER, startStack, URLS } from './stack.ts';
import { createTextGenerator } from './text.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const list = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);
const READ_CONNECTIONS = list(process.env.BENCH_READ_CONNECTIONS, [1, 8, 32]);
const SEND_CONNECTIONS = list(process.env.BENCH_SEND_CONNECTIONS, [8, 32, 64]);
const SEND_PREFIX = 'bench-';
const runId = randomBytes(4).toString('hex');
const ONLY = new RegExp(process.env.BENCH_ONLY ?? '');
/** Some scenarios only: a quick measurement, not the figures of record. */
const PARTIAL = process.env.BENCH_ONLY !== undefined;
const PROFILE = process.env.BENCH_PROFILE === '1';
const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'parley-bench-profile-')) : undefined;

const seedFile = `${root}bench/results/messages-seed.json`;
if (!existsSync(seedFile)) throw new Error('No seed: run `npm run bench:messages:seed` first.');
const seed = JSON.parse(readFileSync(seedFile, 'utf8'));

const db = new pg.Pool({
  connectionString: databaseUrlOf(DATABASES.messages),
  max: 2,
});
const sql = async <T = any>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];

/**
 * Deletes what earlier runs sent and restores last_seq, so every run starts from the seed.
 * With the foreign-key triggers off for this transaction (session_replication_role = replica):
 * messages.reply_to_id has no index, so checking that nothing replies to each deleted message
 * would scan the whole table once per row (13,000 deletions: tens of minutes).
 * Nothing references them: the bench sends no replies, reactions or attachments.
 */
async function removeSentMessages(): Promise<number> {
  const client = await db.connect();
  let deleted: number;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    const { rows } = await client.query<{ n: number }>(
      `WITH gone AS (DELETE FROM messages WHERE client_message_id LIKE $1 RETURNING 1) SELECT count(*) AS n FROM gone`,
      [`${SEND_PREFIX}%`],
    );
    await client.query('COMMIT');
    deleted = Number(rows[0]!.n);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  if (deleted > 0) {
    await sql(
      `UPDATE conversations c SET last_seq = m.last_seq, last_message_at = m.last_at
         FROM (SELECT conversation_id, max(seq) AS last_seq, max(created_at) AS last_at FROM messages GROUP BY 1) m
        WHERE m.conversation_id = c.id AND c.last_seq <> m.last_seq`,
    );
    await sql(`DELETE FROM outbox WHERE published_at IS NOT NULL`);
    await sql('VACUUM (ANALYZE) messages');
    await sql('VACUUM (ANALYZE) conversations');
    await sql('VACUUM outbox');
  }
  return deleted;
}

const leftovers = await removeSentMessages();
const [count] = await sql<{ n: number }>('SELECT count(*) AS n FROM messages');
if (Number(count!.n) < seed.messages) throw new Error(`the bench database has ${count!.n} messages; the seed said ${seed.messages}`);
const conversations =
  // The seeded conversations (all the reader's); rows for groups of earlier seeds, created by stale group.created events, have no messages.
  (
    await sql<{ id: string; last_seq: number; type: string }>('SELECT id, last_seq, type FROM conversations WHERE deleted_at IS NULL AND last_seq > 0 ORDER BY id')
  ).map((c) => ({ id: c.id, lastSeq: Number(c.last_seq), type: c.type }));

/** The seeded user in the fewest conversations (the groups service's memberships, and one direct conversation each). */
async function fewestConversationsUser(): Promise<{ userId: string; username: string; conversations: number; groupIds: string[] }> {
  const groupsDb = new pg.Client({ connectionString: databaseUrlOf(DATABASES.groups) });
  const accountsDb = new pg.Client({ connectionString: databaseUrlOf(DATABASES.accounts) });
  await Promise.all([groupsDb.connect(), accountsDb.connect()]);
  try {
    const readerId = seed.users.readerId as string;
    const [user] = (
      await groupsDb.query<{ user_id: string; n: number }>(
        'SELECT user_id, count(*) AS n FROM memberships WHERE user_id <> $1 GROUP BY user_id ORDER BY count(*), user_id LIMIT 1',
        [readerId],
      )
    ).rows;
    if (!user) throw new Error('no seeded user besides the reader is in a group');
    const [account] = (await accountsDb.query<{ username: string }>('SELECT username FROM users WHERE id = $1', [user.user_id])).rows;
    const [direct] = await sql<{ n: number }>('SELECT count(*) AS n FROM conversation_members WHERE user_id = $1', [user.user_id]);
    const groupIds = (await groupsDb.query<{ group_id: string }>('SELECT group_id FROM memberships WHERE user_id = $1', [user.user_id])).rows.map((r) => r.group_id);
    return { userId: user.user_id, username: account!.username, conversations: groupIds.length + Number(direct!.n), groupIds };
  } finally {
    await Promise.all([groupsDb.end(), accountsDb.end()]);
  }
}
/** The conversation with the median number of messages (the one explain.ts calls median). */
const medianConversation = () => [...conversations].sort((a, b) => b.lastSeq - a.lastSeq)[Math.floor(conversations.length / 2)]!;

const loadBefore = loadAverage();
console.log(`messages bench: ${count!.n} messages, ${conversations.length} conversations; load average ${loadBefore.join(' ')}`);
const stack = await startStack(profileDir ? { profileDir } : {});
await ensureVhost(ISOLATED);
const rabbit = new Connection({
  url: ISOLATED.amqp,
  retryLow: 100,
  retryHigh: 500,
});
rabbit.on('error', (err) => console.error('rabbitmq:', err));
const queue = `bench.messages.created.${runId}`;
const scenarios: Record<string, LoadResult & { cpu: Record<string, number> }> = {};
let explained: Explained[] = [];
/** The search caller in a few conversations (the reader is in all). */
const few = await fewestConversationsUser();
const explainInput = {
  few: { userId: few.userId, groupIds: few.groupIds },
  readerId: seed.users.readerId as string,
  conversations,
  terms: { rare: seed.terms.rare.term as string, common: seed.terms.common.term as string },
};
let profiledScenarios: string[] = [];
let delivery: Record<string, any> = {};
try {
  const { body: login } = await call('POST', `${URLS.accounts}/api/v1/auth/login`, { body: { login: READER, password: PASSWORD } });
  const token = login.accessToken as string;
  const headers = { authorization: `Bearer ${token}` };

  // Sanity and warm-up: every conversation answers a full page (membership answers cached, as in steady state).
  await inParallel(conversations, 8, async (c) => {
    const before = Math.min(c.lastSeq + 1, 200);
    const { body } = await call('GET', `${URLS.messages}/api/v1/conversations/${c.id}/messages?before=${before}&limit=50`, { token });
    if (body.items.length !== Math.min(50, before - 1)) throw new Error(`conversation ${c.id}: ${body.items.length} items`);
  });
  // Search plans on the table as the search runs below see it (before the send runs add messages).
  if (!PROFILE && !PARTIAL) {
    const client = await db.connect();
    try {
      explained = await explainAll(client, explainInput, ['search'], ', before the send runs');
    } finally {
      client.release();
    }
  }
  const probe = await call('GET', `${URLS.messages}/api/v1/search/messages?q=${encodeURIComponent(seed.terms.rare.term)}`, { token });
  console.log(`search probe: rare term found ${probe.body.items.length} hits on the first page`);

  const meter = cpuMeter({
    services: Object.fromEntries(Object.entries(stack.services).map(([name, service]) => [name, service.child.pid!])),
  });
  // Profile mode: the measured window of each scenario, not start-up or warm-ups (bench/lib/cpu-profile-preload.mjs).
  const profiled: string[] = [];
  const toggleProfiler = () => {
    if (profileDir) stack.services.messages!.child.kill('SIGUSR2');
  };
  profiledScenarios = profiled;
  const measure = async (name: string, options: AutocannonOptions) => {
    if (!ONLY.test(name)) return;
    await runLoad({ ...options, duration: WARMUP_S });
    meter.reset();
    profiled.push(name);
    toggleProfiler();
    const result = await runLoad({ ...options, duration: DURATION_S });
    toggleProfiler();
    scenarios[name] = { ...result, cpu: meter.read() };
    const { p50ms, p99ms, okPerSecond, non2xx, errors } = result;
    console.log(`${name}: ${okPerSecond}/s p50 ${p50ms} ms p99 ${p99ms} ms non2xx ${non2xx} errors ${errors} cpu ${JSON.stringify(scenarios[name].cpu)}`);
    return result;
  };

  const random = Math.random;
  const pickConversation = () => conversations[Math.floor(random() * conversations.length)]!;
  for (const connections of READ_CONNECTIONS) {
    await measure(`history c${connections}`, {
      url: URLS.messages,
      connections,
      headers,
      requests: [
        {
          method: 'GET',
          setupRequest: (request: any) => {
            const c = pickConversation();
            // A full page anywhere in the history: before in [51, last_seq + 1].
            const before = 51 + Math.floor(random() * Math.max(1, c.lastSeq - 49));
            return {
              ...request,
              path: `/api/v1/conversations/${c.id}/messages?before=${before}&limit=50`,
            };
          },
        },
      ],
    });
  }
  // The reader belongs to every conversation; the usual user belongs to a few, and a search within
  // one conversation is narrower still: their matches are a small share of the newest messages.
  const { body: fewLogin } = await call('POST', `${URLS.accounts}/api/v1/auth/login`, { body: { login: few.username, password: PASSWORD } });
  const fewHeaders = { authorization: `Bearer ${fewLogin.accessToken as string}` };
  const median = medianConversation();
  const searches: [label: string, query: string, headers: Record<string, string>][] = [];
  for (const [label, term] of [
    ['rare', seed.terms.rare.term as string],
    ['common', seed.terms.common.term as string],
  ] as const) {
    const q = `q=${encodeURIComponent(term)}`;
    searches.push([label, q, headers], [`few ${label}`, q, fewHeaders], [`in-conversation ${label}`, `${q}&conversationId=${median.id}`, headers]);
  }
  console.log(
    `search callers: ${READER} (all ${conversations.length} conversations); ${few.username} (${few.conversations} conversations); in-conversation: ${median.id} (${median.lastSeq} messages, the median)`,
  );
  for (const [label, query, searchHeaders] of searches) {
    for (const connections of READ_CONNECTIONS) {
      await measure(`search ${label} c${connections}`, {
        url: `${URLS.messages}/api/v1/search/messages?${query}`,
        connections,
        headers: searchHeaders,
      });
    }
  }

  // Send: a queue of ours bound to message.created counts what reaches RabbitMQ.
  await rabbit.exchangeDeclare({
    exchange: 'parley.events',
    type: 'topic',
    durable: true,
  });
  await rabbit.queueDeclare({
    queue,
    durable: false,
    arguments: { 'x-expires': 30 * 60 * 1000 },
  });
  await rabbit.queueBind({
    queue,
    exchange: 'parley.events',
    routingKey: 'message.created',
  });
  const text = createTextGenerator(99);
  const bodies = Array.from({ length: 5000 }, () => JSON.stringify(text.message().body));
  let sent = 0;
  let created = 0;
  for (const connections of SEND_CONNECTIONS) {
    const name = `send c${connections}`;
    if (!ONLY.test(name)) continue;
    const options: AutocannonOptions = {
      url: URLS.messages,
      connections,
      headers: { ...headers, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (request: any) => {
            const c = pickConversation();
            const n = sent++;
            return {
              ...request,
              path: `/api/v1/conversations/${c.id}/messages`,
              body: `{"body":${bodies[n % bodies.length]},"clientMessageId":"${SEND_PREFIX}${runId}-${n}"}`,
            };
          },
        },
      ],
    };
    const warm = await runLoad({ ...options, duration: WARMUP_S });
    meter.reset();
    profiled.push(name);
    toggleProfiler();
    const result = await runLoad({ ...options, duration: DURATION_S });
    toggleProfiler();
    scenarios[name] = { ...result, cpu: meter.read() };
    created += (warm.statuses['201'] ?? 0) + (result.statuses['201'] ?? 0);
    console.log(
      `${name}: ${result.okPerSecond} msg/s p50 ${result.p50ms} ms p99 ${result.p99ms} ms non2xx ${result.non2xx} cpu ${JSON.stringify(scenarios[name].cpu)}`,
    );
  }

  // Everything sent must leave the outbox and reach RabbitMQ.
  if (created > 0) await checkDelivery();
  async function checkDelivery() {
    const drainStart = performance.now();
    let pending = Infinity;
    while (performance.now() - drainStart < 120_000) {
      pending = Number((await sql<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL'))[0]!.n);
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainSeconds = Math.round((performance.now() - drainStart) / 100) / 10;
    const [stored] = await sql<{ n: number }>('SELECT count(*) AS n FROM messages WHERE client_message_id LIKE $1', [`${SEND_PREFIX}${runId}-%`]);
    const ids = new Set<string>();
    let foreign = 0;
    let idleSince = performance.now();
    const consumer = rabbit.createConsumer(
      {
        queue,
        queueOptions: { passive: true },
        noAck: true,
        qos: { prefetchCount: 1000 },
      },
      async (message) => {
        idleSince = performance.now();
        const raw: unknown = message.body;
        const body: any = Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : typeof raw === 'string' ? JSON.parse(raw) : raw;
        // Events published together arrive as one message, an array of envelopes.
        for (const event of Array.isArray(body) ? body : [body]) {
          const clientMessageId: string = event?.data?.message?.clientMessageId ?? '';
          if (clientMessageId.startsWith(`${SEND_PREFIX}${runId}-`)) ids.add(clientMessageId);
          else foreign++;
        }
      },
    );
    consumer.on('error', (err) => console.error('counting consumer:', err));
    // Requests still in flight when a run's time is up are answered after autocannon stopped counting: stored ≥ answered.
    const expected = Number(stored!.n);
    while (ids.size < expected && performance.now() - idleSince < 5000) await new Promise((r) => setTimeout(r, 100));
    await consumer.close();
    delivery = {
      answered201: created,
      storedMessages: Number(stored!.n),
      outboxPendingAfterRun: pending,
      outboxDrainedWithinSecondsAfterLoad: drainSeconds,
      messageCreatedEventsInOurQueue: ids.size,
      otherEventsInOurQueue: foreign,
      allDelivered: pending === 0 && ids.size === expected && expected >= created,
    };
    console.log('delivery', delivery);
  }

  if (!PROFILE && !PARTIAL) {
    const client = await db.connect();
    try {
      explained = [
        ...explained,
        ...(await explainAll(client, explainInput, ['history', 'send'])),
        ...(await explainAll(
          client,
          explainInput,
          ['search'],
          `, after the send runs (${delivery.storedMessages} new messages; the GIN pending lists are merged every SEARCH_INDEX_MERGE_MS since migration 0006)`,
        )),
      ];
    } finally {
      client.release();
    }
  }
} finally {
  await rabbit.queueDelete({ queue }).catch(() => undefined);
  await rabbit.close();
  await stack.stop();
  await removeSentMessages();
  await db.end();
}
const loadAfter = loadAverage();

if (profileDir) {
  const profiles = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort((a, b) => Number(/-(\d+)\./.exec(a)?.[1]) - Number(/-(\d+)\./.exec(b)?.[1]));
  const summary = {
    date: new Date().toISOString(),
    only: process.env.BENCH_ONLY ?? '(all)',
    note: 'V8 CPU profile (sampling, 0.5 ms) of the messages process during each measured window; self time. Profiling slows the service.',
    scenarios,
    profiles: profiles.map((f, i) => ({ scenario: profiledScenarios[i], ...summariseProfile(join(profileDir, f), 30) })),
  };
  writeFileSync(`${root}bench/results/messages-profile.json`, `${JSON.stringify(summary, null, 2)}\n`);
  for (const p of summary.profiles) {
    console.log(`${p.scenario}: ${p.totalMs} ms of CPU in messages`);
    console.table(p.byGroup.slice(0, 15));
    console.table(p.topFunctions.slice(0, 20));
  }
  console.log(`profile kept in ${profileDir}`);
  process.exit(0);
}

// Results.
const best = (prefix: string) => Object.entries(scenarios).filter(([name]) => name.startsWith(prefix));
const targets = {
  historyP99Under10ms: best('history').map(([name, r]) => ({
    scenario: name,
    p99ms: r.p99ms,
    met: r.p99ms < 10,
  })),
  searchP99Under50ms: best('search').map(([name, r]) => ({
    scenario: name,
    p99ms: r.p99ms,
    met: r.p99ms < 50,
  })),
  send3000PerSecondP99Under50ms: best('send').map(([name, r]) => ({
    scenario: name,
    msgPerSecond: r.okPerSecond,
    p99ms: r.p99ms,
    met: r.okPerSecond >= 3000 && r.p99ms < 50,
  })),
};
const pgSettings: Record<string, string> = await (async () => {
  const admin = new pg.Client({ connectionString: servers.postgres });
  await admin.connect();
  const names = [
    'server_version',
    'shared_buffers',
    'work_mem',
    'effective_cache_size',
    'random_page_cost',
    'jit',
    'max_parallel_workers_per_gather',
    'synchronous_commit',
  ];
  const { rows } = await admin.query(`SELECT ${names.map((n) => `current_setting('${n}') AS ${n}`).join(', ')}`);
  await admin.end();
  return rows[0];
})();
const results = {
  date: new Date().toISOString(),
  runId,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAfter,
    note: 'load generator (autocannon), PostgreSQL, Redis, RabbitMQ and the three services share these cores',
    postgres: pgSettings,
  },
  settings: {
    durationSeconds: DURATION_S,
    warmupSeconds: WARMUP_S,
    readConnections: READ_CONNECTIONS,
    sendConnections: SEND_CONNECTIONS,
  },
  seed: {
    messages: seed.messages,
    conversations: seed.conversations,
    terms: seed.terms,
    seedingSeconds: seed.timingsSeconds.total,
    leftoversRemovedBeforeRun: leftovers,
  },
  scenarios,
  delivery,
  targets,
  explain: explained.map((e) => ({
    title: e.title,
    executionMs: e.executionMs,
    planningMs: e.planningMs,
  })),
};
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/messages${PARTIAL ? '-partial' : ''}.json`, `${JSON.stringify(results, null, 2)}\n`);
if (!PARTIAL)
  writeFileSync(
    `${root}bench/messages/EXPLAIN.md`,
    explainMarkdown(
      explained,
      `# EXPLAIN (ANALYZE, BUFFERS) behind the messages benchmark\n\nWritten by \`npm run bench:messages\` (${results.date}, run ${runId}) on the seeded database ` +
        `(${seed.messages.toLocaleString('en')} messages, ${seed.conversations.total} conversations). The SQL is recorded from the service's own ` +
        `repository functions and explained with the same parameters (warm cache; the search plans twice: before the load on the freshly vacuumed table, and after the send runs). Writes were rolled back.\n`,
    ),
  );
if (!PARTIAL) writeResultsSection(results);
console.table(
  Object.fromEntries(
    Object.entries(scenarios).map(([name, r]) => [
      name,
      {
        perSecond: r.okPerSecond,
        p50ms: r.p50ms,
        p99ms: r.p99ms,
        non2xx: r.non2xx,
        errors: r.errors,
      },
    ]),
  ),
);

function writeResultsSection(r: typeof results): void {
  const file = `${root}bench/RESULTS.md`;
  const begin = '<!-- messages:begin (generated by npm run bench:messages) -->';
  const end = '<!-- messages:end -->';
  const row = (name: string, s: LoadResult & { cpu: Record<string, number> }) => {
    const c = s.cpu;
    return `| ${name} | ${s.connections} | ${s.okPerSecond.toLocaleString('en')} | ${s.p50ms} | ${s.p99ms} | ${s.non2xx + s.errors} | ${c.messages ?? '–'} / ${c.postgres} / ${c.loadGenerator} / ${c.rabbitmq} / ${c.redis} / ${c.accounts ?? '–'}+${c.groups ?? '–'} / ${c.machineTotal} |`;
  };
  const table = Object.entries(r.scenarios)
    .map(([name, s]) => row(name, s))
    .join('\n');
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  const history = r.targets.historyP99Under10ms;
  const search = r.targets.searchP99Under50ms;
  const send = r.targets.send3000PerSecondP99Under50ms;
  const bestSend = [...send].sort((a, b) => b.msgPerSecond - a.msgPerSecond)[0];
  const explainLines = r.explain.map((e) => `| ${e.title} | ${e.executionMs} | ${e.planningMs} |`).join('\n');
  const seedPhases = Object.entries(seed.timingsSeconds as Record<string, number>)
    .filter(([name]) => name !== 'total')
    .map(([name, seconds]) => `${name.replace(/ \(.*\)$/, '')} ${seconds} s`)
    .join(', ');
  const section = `${begin}
## Messages (issue 3)

Run ${r.date} (run \`${r.runId}\`), ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB; load average before ${r.machine.loadAverageBefore.join(' / ')}, after ${r.machine.loadAverageAfter.join(' / ')}.
PostgreSQL ${r.machine.postgres.server_version} with stock settings (shared_buffers ${r.machine.postgres.shared_buffers}, work_mem ${r.machine.postgres.work_mem}, jit ${r.machine.postgres.jit}).
Data: ${r.seed.messages.toLocaleString('en')} messages in ${r.seed.conversations.total} conversations (${r.seed.conversations.direct} direct, ${r.seed.conversations.groups} groups; ${r.seed.conversations.messagesPerConversation.min}–${r.seed.conversations.messagesPerConversation.max} messages each, median ${r.seed.conversations.messagesPerConversation.median}), ${seed.sizes?.find((x: any) => x.name === 'messages')?.megabytes ?? '?'} MB with its indexes;
seeded by \`npm run bench:messages:seed\` in ${r.seed.seedingSeconds} s (${seedPhases}; load average ${seed.loadAverage?.before?.[0] ?? '?'} when it started).
The caller belongs to all of them; the “few” search rows' caller is the seeded user in the fewest, the “in-conversation” rows search the median conversation only. Search terms: rare “${r.seed.terms.rare.term}” (${r.seed.terms.rare.fullText} matching messages), common “${r.seed.terms.common.term}” (${r.seed.terms.common.fullText.toLocaleString('en')} full-text, ${r.seed.terms.common.partial.toLocaleString('en')} substring matches).
accounts, groups and messages each a process (distributed mode), on real PostgreSQL, Redis (db 5) and RabbitMQ (vhost parley_bench), loopback only.
Load: autocannon in the bench process, straight at the messages service, ${r.settings.durationSeconds} s per row after a ${r.settings.warmupSeconds} s warm-up; latency of every 2xx answer, exact.

| scenario | connections | 2xx/s | p50 ms | p99 ms | errors | CPU % of a core: messages / PostgreSQL / load generator / RabbitMQ / Redis / accounts+groups / whole machine (of ${r.machine.cpus * 100}) |
|---|---|---|---|---|---|---|
${table}

Targets:
- History page of 50, p99 < 10 ms: ${history.map((h) => `${h.scenario} ${h.p99ms} ms ${met(h.met)}`).join('; ')}.
- Search, p99 < 50 ms: ${search.map((h) => `${h.scenario} ${h.p99ms} ms ${met(h.met)}`).join('; ')}.
- Send ≥ 3,000 msg/s with p99 < 50 ms: ${send.map((h) => `${h.scenario} ${h.msgPerSecond} msg/s p99 ${h.p99ms} ms ${met(h.met)}`).join('; ')}${bestSend ? ` (best ${bestSend.msgPerSecond} msg/s)` : ''}.
- Delivery after the send runs: ${JSON.stringify(r.delivery)}.

Statement times from EXPLAIN (ANALYZE, BUFFERS), warm cache (full plans in [messages/EXPLAIN.md](messages/EXPLAIN.md)):

| statement | execution ms | planning ms |
|---|---|---|
${explainLines}

NOTES_PLACEHOLDER
${end}`;
  let current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmark results\n\nFigures measured on the development machine with `npm run bench:*` (see bench/). Each section belongs to one benchmark; the messages section is generated between its markers by `npm run bench:messages`, the notes in it are written by hand after a run.\n';
  const notes = /NOTES_BEGIN -->([\s\S]*?)<!-- NOTES_END/.exec(current)?.[1];
  const withNotes = section.replace('NOTES_PLACEHOLDER', `<!-- NOTES_BEGIN -->${notes ?? '\n(Notes on this run: to be written.)\n'}<!-- NOTES_END -->`);
  if (current.includes(begin) && current.includes(end)) {
    current = current.slice(0, current.indexOf(begin)) + withNotes + current.slice(current.indexOf(end) + end.length);
  } else {
    current = `${current.trimEnd()}\n\n${withNotes}\n`;
  }
  writeFileSync(file, current);
}
