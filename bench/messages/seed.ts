/**
 * Seeds the messages benchmark (issue 3): 1,000,000 messages over 1,000 conversations.
 *
 *   npm run bench:messages:seed      (BENCH_SEED_MESSAGES / BENCH_SEED_CONVERSATIONS to scale down)
 *
 * 1. Fresh databases for messages, accounts and groups; the messages migrations applied; the
 *    bench's Redis db (5) emptied and its RabbitMQ vhost (parley_bench) created if missing.
 * 2. accounts, groups and messages started as processes; real users registered (the reader
 *    mb_reader and partners mb_p0001…), real groups created through the groups API (the reader
 *    a member of every one) and the reader's direct conversations opened through the messages
 *    API, so membership is what the services themselves say.
 * 3. The services stopped; messages bulk-loaded with multi-row INSERTs (INSERT … SELECT FROM
 *    unnest(arrays), 5,000 rows a statement, two connections; pg-copy-streams is not installed):
 *    mixed Russian and English chat text (text.ts), per-conversation seq gapless from 1, time
 *    order = seq order, UUIDv7 ids matching created_at, some replies, edits, tombstones,
 *    mentions and reactions. The search and history indexes not backing a constraint are dropped
 *    for the load and rebuilt after it, from their own definitions (pg_get_indexdef).
 * 4. conversations.last_seq / last_message_at set, read marks for the reader, VACUUM ANALYZE,
 *    consistency checks, and bench/results/messages-seed.json with timings and sizes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createPostgresDb, migrate } from '@parley/kit';
import pg from 'pg';
import { messagesMigrations } from '../../services/messages/src/db/migrations.ts';
import { ensureVhost, flushRedisDb } from '../lib/isolation.ts';
import { loadAverage } from '../lib/measure.ts';
import { freshDatabase, root } from '../lib/processes.ts';
import { inParallel } from '../lib/parallel.ts';
import { call, DATABASES, ISOLATED, partnerName, PASSWORD, READER, startStack, URLS } from './stack.ts';
import { COMMON_TERM, createTextGenerator, RARE_TERM, rng } from './text.ts';

const MESSAGES = Number(process.env.BENCH_SEED_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_SEED_CONVERSATIONS ?? 1000);
const DIRECT = Math.round(CONVERSATIONS * 0.3);
const GROUPS = CONVERSATIONS - DIRECT;
/** Every direct conversation is with a partner of its own; groups draw their members from them too. */
const PARTNERS = Math.max(DIRECT, 20);
const BATCH = 5000;
const WRITERS = 2;
const SPAN_MS = 365 * 24 * 3600 * 1000;

const random = rng(20251127);
const timings: Record<string, number> = {};
let phaseStart = performance.now();
const phase = (name: string) => {
  const now = performance.now();
  timings[name] = Math.round((now - phaseStart) / 100) / 10;
  phaseStart = now;
  console.log(`seed: ${name} done in ${timings[name]} s`);
};
const started = performance.now();
const loadBefore = loadAverage();

interface User {
  id: string;
  username: string;
  token: string;
}
interface Conversation {
  id: string;
  type: 'direct' | 'group';
  members: User[];
}

// 1. Databases, and the bench's own Redis db and RabbitMQ vhost.
await ensureVhost(ISOLATED);
await flushRedisDb(ISOLATED.redis);
await freshDatabase(DATABASES.accounts);
await freshDatabase(DATABASES.groups);
const messagesUrl = await freshDatabase(DATABASES.messages);
{
  const db = createPostgresDb(messagesUrl, { max: 1 });
  await migrate(db, messagesMigrations);
  await db.close();
}
phase('databases');

// 2. Users, groups and direct conversations through the services.
const stack = await startStack();
let conversations: Conversation[];
let reader: User;
try {
  phase('services started');
  const register = async (username: string): Promise<User> => {
    const { body } = await call('POST', `${URLS.accounts}/api/v1/auth/register`, {
      body: {
        username,
        email: `${username}@example.test`,
        password: PASSWORD,
      },
    });
    return { id: body.user.id, username, token: body.accessToken };
  };
  reader = await register(READER);
  const partners = await inParallel(
    Array.from({ length: PARTNERS }, (_, i) => partnerName(i + 1)),
    4,
    register,
  );
  phase(`users registered (${PARTNERS + 1})`);

  const direct = await inParallel(partners.slice(0, DIRECT), 4, async (partner): Promise<Conversation> => {
    const { body } = await call('POST', `${URLS.messages}/api/v1/conversations/direct`, {
      token: reader.token,
      body: { userId: partner.id },
    });
    return { id: body.id, type: 'direct', members: [reader, partner] };
  });

  const sample = (count: number, exclude: User): User[] => {
    const pool = partners.filter((p) => p !== exclude);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, Math.min(count, pool.length));
  };
  const groupPlans = Array.from({ length: GROUPS }, (_, i) => {
    const roll = random();
    // Others besides the reader: mostly small groups, some team-sized, a few large ones.
    const others = roll < 0.6 ? 1 + Math.floor(random() * 7) : roll < 0.9 ? 8 + Math.floor(random() * 22) : 30 + Math.floor(random() * 120);
    const ownedByReader = random() < 0.7;
    const owner = ownedByReader ? reader : partners[Math.floor(random() * partners.length)]!;
    const members = sample(others, owner);
    return {
      name: `Bench group ${i + 1}`,
      owner,
      members: ownedByReader ? members : [reader, ...members],
    };
  });
  const groups = await inParallel(groupPlans, 4, async (plan): Promise<Conversation> => {
    const { body } = await call('POST', `${URLS.groups}/api/v1/groups`, {
      token: plan.owner.token,
      body: { name: plan.name, memberIds: plan.members.map((m) => m.id) },
    });
    return {
      id: body.id,
      type: 'group',
      members: [plan.owner, ...plan.members],
    };
  });
  phase(`conversations created (${direct.length} direct, ${groups.length} groups)`);

  // Group conversations appear in messages when it consumes group.created; whatever has not
  // arrived yet (or went to another consumer of the shared queue) is created on first use.
  const pool = new pg.Pool({ connectionString: messagesUrl, max: 2 });
  const groupRows = async () => Number((await pool.query("SELECT count(*) AS n FROM conversations WHERE type = 'group'")).rows[0].n);
  for (let waited = 0; waited < 30 && (await groupRows()) < groups.length; waited++) await new Promise((r) => setTimeout(r, 1000));
  const missing = new Set(groups.map((g) => g.id));
  for (const row of (await pool.query("SELECT id FROM conversations WHERE type = 'group'")).rows) missing.delete(row.id);
  await inParallel([...missing], 4, (id) =>
    call('GET', `${URLS.messages}/api/v1/conversations/${id}`, {
      token: reader.token,
    }),
  );
  await pool.end();
  conversations = [...direct, ...groups];
  phase(`group conversations present in messages (${missing.size} created on first use)`);
} finally {
  await stack.stop();
}

// 3. Bulk load.
// Loading sessions: no wait for the WAL flush at each commit, and room to build the indexes in memory.
const pools = Array.from(
  { length: WRITERS },
  () => new pg.Pool({ connectionString: messagesUrl, max: 1, options: '-c synchronous_commit=off -c maintenance_work_mem=1GB' }),
);
const admin = pools[0]!;

const { rows: droppable } = await admin.query<{ name: string; def: string }>(
  `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = 'messages'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
    ORDER BY i.relname`,
);
for (const index of droppable) await admin.query(`DROP INDEX ${index.name}`);

const INSERT_MESSAGES = `
  INSERT INTO messages (id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions, created_at, edited_at, deleted_at)
  SELECT id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions::uuid[], created_at, edited_at, deleted_at
    FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::text[],
                $9::timestamptz[], $10::timestamptz[], $11::timestamptz[])
      AS t(id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions, created_at, edited_at, deleted_at)`;
const INSERT_REACTIONS = `
  INSERT INTO reactions (message_id, user_id, emoji, created_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])`;

type Columns = [string[], string[], number[], string[], string[], string[], (string | null)[], string[], string[], (string | null)[], (string | null)[]];
const emptyColumns = (): Columns => [[], [], [], [], [], [], [], [], [], [], []];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** A UUIDv7 whose timestamp is ms, so ids keep the order of created_at as the service's do. */
function uuidv7At(ms: number): string {
  const time = hex(ms, 12);
  const r = () => Math.floor(random() * 0x10000);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(r() & 0xfff, 3)}-${hex(0x8000 | (r() & 0x3fff), 4)}-${hex(r(), 4)}${hex(r(), 4)}${hex(r(), 4)}`;
}

// Busy and quiet conversations: weight of rank r ∝ 1 / (r + 40), ranks shuffled.
const order = conversations.map((_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const cumulative = new Float64Array(conversations.length);
{
  let total = 0;
  for (let rank = 0; rank < order.length; rank++) {
    total += 1 / (rank + 40);
    cumulative[rank] = total;
  }
  for (let rank = 0; rank < order.length; rank++) cumulative[rank]! /= total;
}
const pickConversation = (): number => {
  const x = random();
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return order[lo]!;
};

const text = createTextGenerator(7);
const lastSeq = new Array<number>(conversations.length).fill(0);
const lastAt = new Array<number>(conversations.length).fill(0);
const recent = conversations.map(() => [] as string[]);
const buffers = pools.map(() => emptyColumns());
const inFlight: (Promise<unknown> | undefined)[] = pools.map(() => undefined);
const reactions: [string[], string[], string[], string[]] = [[], [], [], []];
const EMOJI = ['👍', '❤️', '😂', '🎉', '👀', '🔥', '🙏', '✅'];
const now = Date.now();
const startMs = now - SPAN_MS - 3600_000;
const step = SPAN_MS / MESSAGES;
const counts = { replies: 0, edited: 0, deleted: 0, mentions: 0, reactions: 0 };

const flush = async (writer: number) => {
  const columns = buffers[writer]!;
  if (columns[0].length === 0) return;
  buffers[writer] = emptyColumns();
  await inFlight[writer];
  inFlight[writer] = pools[writer]!.query(INSERT_MESSAGES, columns);
};

for (let i = 0; i < MESSAGES; i++) {
  const c = pickConversation();
  const conversation = conversations[c]!;
  const seq = ++lastSeq[c]!;
  const at = Math.floor(startMs + i * step + random() * step * 0.9);
  lastAt[c] = at;
  const sender = conversation.members[Math.floor(random() * conversation.members.length)]!;
  const others = conversation.members.filter((m) => m !== sender);
  const id = uuidv7At(at);
  const deleted = random() < 0.004;
  let body = '';
  let mentions: string[] = [];
  if (!deleted) {
    const generated = text.message(others.slice(0, 20).map((m) => m.username));
    body = generated.body;
    mentions = others
      .filter((m) => generated.mentioned.includes(m.username))
      .map((m) => m.id)
      .sort();
    if (mentions.length > 0) counts.mentions++;
  } else counts.deleted++;
  const edited = !deleted && random() < 0.02;
  if (edited) counts.edited++;
  const history = recent[c]!;
  const replyTo = history.length > 0 && random() < 0.04 ? history[Math.floor(random() * history.length)]! : null;
  if (replyTo) counts.replies++;
  history.push(id);
  if (history.length > 20) history.shift();

  const columns = buffers[c % WRITERS]!;
  columns[0].push(id);
  columns[1].push(conversation.id);
  columns[2].push(seq);
  columns[3].push(sender.id);
  columns[4].push(body);
  columns[5].push(`seed-${i}`);
  columns[6].push(replyTo);
  columns[7].push(`{${mentions.join(',')}}`);
  columns[8].push(new Date(at).toISOString());
  columns[9].push(edited ? new Date(at + 60_000 + Math.floor(random() * 600_000)).toISOString() : null);
  columns[10].push(deleted ? new Date(at + 30_000 + Math.floor(random() * 3_600_000)).toISOString() : null);

  if (!deleted && random() < 0.05) {
    const reactors = new Set<string>();
    const n = 1 + Math.floor(random() ** 2 * Math.min(5, conversation.members.length));
    for (let k = 0; k < n; k++) {
      const user = conversation.members[Math.floor(random() * conversation.members.length)]!;
      const emoji = EMOJI[Math.floor(random() ** 1.5 * EMOJI.length)]!;
      if (reactors.has(`${user.id}${emoji}`)) continue;
      reactors.add(`${user.id}${emoji}`);
      reactions[0].push(id);
      reactions[1].push(user.id);
      reactions[2].push(emoji);
      reactions[3].push(new Date(at + 5000 + Math.floor(random() * 600_000)).toISOString());
      counts.reactions++;
    }
  }
  if (columns[0].length >= BATCH) await flush(c % WRITERS);
  if (i > 0 && i % 100_000 === 0) console.log(`seed: ${i} messages generated, ${Math.round((performance.now() - phaseStart) / 1000)} s`);
}
for (let w = 0; w < WRITERS; w++) await flush(w);
await Promise.all(inFlight.filter((p): p is Promise<unknown> => p !== undefined));
phase(`messages inserted (${MESSAGES})`);

for (let start = 0; start < reactions[0].length; start += BATCH * 4) {
  await admin.query(
    INSERT_REACTIONS,
    reactions.map((column) => column.slice(start, start + BATCH * 4)),
  );
}
phase(`reactions inserted (${counts.reactions})`);

// Rebuilt one after another: two at once would only fight over the 2 cores.
for (const index of droppable) {
  const t = performance.now();
  await admin.query(index.def);
  console.log(`seed: index ${index.name} built in ${Math.round((performance.now() - t) / 100) / 10} s`);
}
phase(`indexes rebuilt (${droppable.map((i) => i.name).join(', ')})`);

await admin.query(
  `UPDATE conversations c SET last_seq = t.last_seq, last_message_at = t.last_at
     FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS t(id, last_seq, last_at) WHERE c.id = t.id`,
  [conversations.map((c) => c.id), lastSeq, lastAt.map((ms) => (ms ? new Date(ms).toISOString() : null))],
);
// The reader has read nearly everything: a few unread messages in some conversations.
await admin.query(
  `INSERT INTO read_state (conversation_id, user_id, last_read_seq)
   SELECT id, $1, greatest(0, last_seq - (CASE WHEN random() < 0.2 THEN floor(random() * 10)::int ELSE 0 END)) FROM conversations
   ON CONFLICT DO NOTHING`,
  [reader.id],
);
await admin.query('VACUUM (ANALYZE) messages');
await admin.query('VACUUM (ANALYZE) reactions');
await admin.query('ANALYZE conversations; ANALYZE conversation_members; ANALYZE read_state; ANALYZE outbox');
phase('conversations updated, VACUUM ANALYZE');

// 4. Checks and facts.
const one = async <T = any>(sql: string, params: unknown[] = []): Promise<T> => (await admin.query(sql, params)).rows[0] as T;
const total = Number((await one('SELECT count(*) AS n FROM messages')).n);
const inconsistent = Number(
  (
    await one(`SELECT count(*) AS n FROM conversations c
                 LEFT JOIN (SELECT conversation_id, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM messages GROUP BY 1) m
                   ON m.conversation_id = c.id
                WHERE c.last_seq <> COALESCE(m.hi, 0) OR COALESCE(m.n, 0) <> COALESCE(m.hi, 0) OR COALESCE(m.lo, 1) <> 1`)
  ).n,
);
if (total !== MESSAGES || inconsistent !== 0) throw new Error(`seed check failed: ${total} messages, ${inconsistent} conversations with bad seqs`);
const termCount = async (term: string) => {
  const fullText = Number(
    (
      await one(
        `SELECT count(*) AS n FROM messages
          WHERE deleted_at IS NULL AND search_vector @@ (websearch_to_tsquery('russian', $1) || websearch_to_tsquery('english', $1))`,
        [term],
      )
    ).n,
  );
  const partial = Number((await one(`SELECT count(*) AS n FROM messages WHERE deleted_at IS NULL AND body ILIKE $1`, [`%${term}%`])).n);
  return { fullText, partial };
};
const sizes = (
  await admin.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
      WHERE c.relname = 'messages' UNION ALL
     SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = 'messages'::regclass`,
  )
).rows.map((r) => ({
  name: r.name,
  megabytes: Math.round(Number(r.bytes) / 1048576),
}));
const perConversation = await one(
  `SELECT min(last_seq) AS min, percentile_disc(0.5) WITHIN GROUP (ORDER BY last_seq) AS median, max(last_seq) AS max FROM conversations`,
);
const seed = {
  date: new Date().toISOString(),
  messages: total,
  conversations: {
    total: conversations.length,
    direct: DIRECT,
    groups: GROUPS,
    messagesPerConversation: perConversation,
  },
  users: { reader: READER, partners: PARTNERS, readerId: reader.id },
  content: {
    ...counts,
    avgBodyChars: Number((await one('SELECT round(avg(length(body)), 1) AS n FROM messages')).n),
  },
  terms: {
    common: { term: COMMON_TERM, ...(await termCount(COMMON_TERM)) },
    rare: { term: RARE_TERM, ...(await termCount(RARE_TERM)) },
  },
  sizes,
  method: `INSERT … SELECT FROM unnest() in batches of ${BATCH} rows on ${WRITERS} connections (pg-copy-streams not installed); indexes not backing constraints dropped for the load and rebuilt`,
  timingsSeconds: {
    ...timings,
    total: Math.round((performance.now() - started) / 100) / 10,
  },
  loadAverage: { before: loadBefore, after: loadAverage() },
};
for (const p of pools) await p.end();
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/messages-seed.json`, `${JSON.stringify(seed, null, 2)}\n`);
console.log(JSON.stringify(seed, null, 2));
