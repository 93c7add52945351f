/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements behind the messages benchmark's figures. The SQL
 * is the service's own: each repository function is called with a Queryable that records the
 * statement and its parameters instead of running it, and the recording is then explained on the
 * bench database with the same parameters (so PostgreSQL plans it as it does for the service:
 * node-postgres sends unnamed statements, planned with the actual values; a statement the service
 * runs as a named prepared statement is explained as PREPARE + EXECUTE with its generic plan, the
 * plan it settles on after five runs). Writes run inside a transaction that is rolled back.
 */
import { makeEvent, newId, type Queryable } from '@parley/kit';
import type pg from 'pg';
import type { Membership, ReadAccess } from '../../services/messages/src/db/access.ts';
import { findConversationFor, type ConversationRow } from '../../services/messages/src/db/conversation.repository.ts';
import { findByClientMessageId, listMessagePage, sendMessageRow } from '../../services/messages/src/db/message.repository.ts';
import { messagesConfigSchema } from '../../services/messages/src/config.ts';
import type { SearchScope } from '../../services/messages/src/db/search.repository.ts';
import { findHits } from '../../services/messages/src/domain/search-messages.ts';

interface Statement {
  sql: string;
  params: unknown[];
  /** The name it is prepared under by the service, if it is. */
  prepare?: string | undefined;
}

/** The statements fn would run, in order, without running any. */
async function record(fn: (db: Queryable) => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const db: Queryable = {
    async query(sql, params, options) {
      statements.push({ sql, params: [...(params ?? [])], prepare: options?.prepare });
      return { rows: [], rowCount: 0 };
    },
  };
  // Functions that expect a row back (sendMessageRow) throw on the empty answer; the statement is recorded by then.
  await fn(db).catch(() => undefined);
  return statements;
}

/** The statements fn runs, run for real on client (read-only functions only). */
async function recordRunning(client: pg.ClientBase, fn: (db: Queryable) => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const db: Queryable = {
    async query<Row>(sql: string, params?: readonly unknown[], options?: { prepare?: string }) {
      statements.push({ sql, params: [...(params ?? [])], prepare: options?.prepare });
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
  await fn(db);
  return statements;
}

export interface Explained {
  title: string;
  sql: string;
  params: string;
  plan: string;
  planningMs: number;
  executionMs: number;
}

const describeParam = (value: unknown): string => {
  if (Array.isArray(value)) return value.length > 3 ? `[${value.length} values: ${value.slice(0, 2).join(', ')}, …]` : JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** A parameter as an SQL literal, for EXECUTE (which takes no bind parameters inside EXPLAIN). */
const literalOf = (client: pg.ClientBase, value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return client.escapeLiteral(`{${value.join(',')}}`);
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  if (typeof value === 'string') return client.escapeLiteral(value);
  return client.escapeLiteral(JSON.stringify(value));
};

/** EXPLAIN output of the statement as the service runs it: generic plan when it is prepared. */
async function explainRows(client: pg.ClientBase, statement: Statement): Promise<Record<string, string>[]> {
  if (!statement.prepare) return (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params)).rows;
  await client.query('SET plan_cache_mode = force_generic_plan');
  await client.query(`PREPARE explained AS ${statement.sql}`);
  try {
    const args = statement.params.map((p) => literalOf(client, p)).join(', ');
    return (await client.query(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE explained(${args})`)).rows;
  } finally {
    await client.query('DEALLOCATE explained');
    await client.query('RESET plan_cache_mode');
  }
}

async function explainOne(client: pg.ClientBase, title: string, statement: Statement, runs = 1): Promise<Explained> {
  let plan = '';
  for (let i = 0; i < runs; i++) plan = (await explainRows(client, statement)).map((r) => r['QUERY PLAN']).join('\n');
  if (statement.prepare) plan = `(prepared statement ${statement.prepare}, generic plan)\n${plan}`;
  // The scope's 1,000 ids inline would drown the plan.
  plan = plan.replace(/'\{([0-9a-f-]{36},){3,}[0-9a-f-]{36}\}'/g, (list) => `'{…${list.split(',').length} uuids…}'`);
  const ms = (label: string) => Number(new RegExp(`${label}: ([\\d.]+) ms`).exec(plan)?.[1] ?? Number.NaN);
  return {
    title,
    sql: statement.sql.replace(/^\s+$/gm, '').trim(),
    params: statement.params.map((p, i) => `$${i + 1} = ${describeParam(p)}`).join('; '),
    plan,
    planningMs: ms('Planning Time'),
    executionMs: ms('Execution Time'),
  };
}

const membershipOf = (conversation: ConversationRow, userId: string) => ({ conversation, role: null, userId }) as unknown as Membership;
const readAccessOf = (conversationId: string, userId: string) => ({ conversationId, userId }) as unknown as ReadAccess;

/** The service's SEARCH_RECENT_WINDOW (its default unless set). */
const SEARCH_WINDOW = messagesConfigSchema.shape.SEARCH_RECENT_WINDOW.parse(process.env.SEARCH_RECENT_WINDOW);
const SEARCH_SMALL_SCOPE = messagesConfigSchema.shape.SEARCH_SMALL_SCOPE.parse(process.env.SEARCH_SMALL_SCOPE);

export interface ExplainInput {
  readerId: string;
  /** Every conversation of the reader (the search scope). */
  conversations: { id: string; lastSeq: number; type: string }[];
  terms: { rare: string; common: string };
  /** A caller in a few conversations: their direct ones come from conversation_members, their groups listed here. */
  few?: { userId: string; groupIds: string[] } | undefined;
}

export type Section = 'history' | 'search' | 'send';

/** The sections' statements explained; `note` is appended to each title (e.g. the state of the GIN pending lists). */
export async function explainAll(
  client: pg.ClientBase,
  input: ExplainInput,
  sections: readonly Section[] = ['history', 'search', 'send'],
  note = '',
): Promise<Explained[]> {
  const out: Explained[] = [];
  const explain = async (c: pg.ClientBase, title: string, statement: Statement, runs = 1) => explainOne(c, `${title}${note}`, statement, runs);
  const { readerId } = input;
  const byActivity = [...input.conversations].sort((a, b) => b.lastSeq - a.lastSeq);
  const busiest = byActivity[0]!;
  const median = byActivity[Math.floor(byActivity.length / 2)]!;
  const direct = input.conversations.find((c) => c.type === 'direct') ?? busiest;
  const rowOf = async (id: string) => (await client.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id])).rows[0]!;

  // History: the cached membership answer (Redis, not explained), then one statement: the conversation's state and the page with its reactions and attachments.
  if (sections.includes('history'))
    for (const [label, conversation] of [
      ['median', median],
      ['busiest', busiest],
    ] as const) {
      const before = Math.max(52, Math.floor(conversation.lastSeq / 2));
      const access = readAccessOf(conversation.id, readerId);
      const [page] = await record((db) => listMessagePage(db, access, { before, limit: 51 }, readerId));
      out.push(
        await explain(
          client,
          `History (${label} conversation, ${conversation.lastSeq} messages): page of 50 (+1) before seq ${before} with reactions and attachments`,
          page!,
          2,
        ),
      );
    }

  // Search: the statements the service runs for one search, in order (run for real, since each decides the next);
  // the scope is part of each (the reader's groups come from the groups service, cached).
  if (sections.includes('search')) {
    const scopes: [string, SearchScope][] = [
      [
        `over all ${input.conversations.length} conversations`,
        { userId: readerId, groupIds: input.conversations.filter((c) => c.type === 'group').map((c) => c.id) },
      ],
    ];
    if (input.few)
      scopes.push([`as a caller in ${input.few.groupIds.length} groups and their direct conversations`, { userId: input.few.userId, groupIds: input.few.groupIds }]);
    scopes.push([`within the median conversation (${median.lastSeq} messages)`, { conversationId: median.id }]);
    for (const [where, scope] of scopes)
      for (const [label, term] of [
        ['rare', input.terms.rare],
        ['common', input.terms.common],
      ] as const) {
        const statements = await recordRunning(client, (db) => findHits(db, SEARCH_WINDOW, scope, { query: term, limit: 51 }, readerId, SEARCH_SMALL_SCOPE));
        for (const [i, statement] of statements.entries()) {
          const what = `walk over the newest ${String(statement.params[8])} messages (of the whole table, or of each conversation of a scope of at most ${SEARCH_SMALL_SCOPE}), then the text indexes if too few hits`;
          out.push(await explain(client, `Search, ${label} term “${term}” ${where}, statement ${i + 1} of ${statements.length}: ${what}`, statement, 3));
        }
      }
  }

  // Send: the membership read, then the send itself, one call of send_message() (rolled back).
  if (!sections.includes('send')) return out;
  const row = await rowOf(direct.id);
  const access = membershipOf(row, readerId);
  const clientMessageId = `explain-${Date.now()}`;
  const [membership] = await record((db) => findConversationFor(db, direct.id, readerId));
  out.push(await explain(client, 'Send: membership check', membership!));
  const [resend] = await record((db) => findByClientMessageId(db, access, clientMessageId));
  out.push(await explain(client, 'Send: earlier message with this clientMessageId (idempotency; also the first statement of send_message())', resend!));
  const sample = (await client.query<{ data: unknown }>(`SELECT data FROM outbox WHERE type = 'message.created' ORDER BY id DESC LIMIT 1`)).rows[0];
  await client.query('BEGIN');
  try {
    const event = makeEvent('message.created', sample?.data ?? { message: {}, mentions: [], recipients: [] }, 'messages');
    const [send] = await record((db) =>
      sendMessageRow(db, access, {
        id: newId(),
        body: 'Привет! Посмотри отчёт по проекту, пожалуйста 🙂',
        clientMessageId,
        replyToId: null,
        mentions: [],
        createdAt: new Date(),
        recipients: null,
        event: { id: event.id, occurredAt: event.occurredAt, data: event.data },
      }),
    );
    out.push(
      await explain(
        client,
        'Send: send_message(), the whole write (idempotency check, seq, message insert with generated tsvector and every index, recipients, outbox row; first call in this session, so it includes compiling and planning the function)',
        send!,
      ),
    );
    // The relay's statements (packages/kit/src/bus/outbox.ts).
    out.push(
      await explain(client, 'Outbox relay: next batch', {
        sql: `SELECT id, type, occurred_at, producer, data FROM outbox
          WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        params: [100],
      }),
    );
  } finally {
    await client.query('ROLLBACK');
  }
  return out;
}

export function explainMarkdown(explained: readonly Explained[], header: string): string {
  const parts = [header];
  for (const e of explained) {
    parts.push(
      `## ${e.title}\n\nExecution ${e.executionMs} ms, planning ${e.planningMs} ms.\n\n` +
        `\`\`\`sql\n${e.sql}\n\`\`\`\n\nParameters: ${e.params || 'none'}\n\n\`\`\`\n${e.plan}\n\`\`\`\n`,
    );
  }
  return `${parts.join('\n')}`;
}
