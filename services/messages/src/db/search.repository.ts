import type { Queryable } from '@parley/kit';
import { attachmentsJsonOf } from './file.repository.ts';
import type { MessageRowWithParts } from './message.repository.ts';
import { reactionsJsonOf } from './reaction.repository.ts';

/**
 * The conversations a search may look in, as membership says right now: either every
 * conversation of the caller (their direct ones from conversation_members, their groups' from
 * groupIds, which the groups service gave), or one conversation whose membership was checked.
 * Deleted conversations are left out either way, in the same statement as the search.
 */
export type SearchScope = { userId: string; groupIds: readonly string[] } | { conversationId: string };

export interface SearchFilters {
  /** The trimmed query, 1–200 characters. */
  query: string;
  senderId?: string | undefined;
  before?: Date | undefined;
  after?: Date | undefined;
  /** Continue after this message (the last hit of the previous page). */
  afterMessageId?: string | undefined;
  limit: number;
}

export interface SearchHitRow extends MessageRowWithParts {
  /**
   * When the full-text query matched: ts_headline over the body, plain text with HEADLINE_MARKS
   * around the matched words (`<` stands as HEADLINE_MARKS.lt); null for hits found only by
   * partial-word (trigram) matching. Presenting it (escaping, <mark>) is the presenter's job.
   */
  headline: string | null;
}

/**
 * The characters a headline marks with, control characters no one types. `<` is handed to
 * ts_headline as `lt`, so that the text-search parser never takes part of a message for an XML
 * tag (which it would drop from a fragment).
 */
export const HEADLINE_MARKS = { start: '\u0001', stop: '\u0002', lt: '\u0003' } as const;

/** Partial-word matching needs three characters: trigrams of shorter strings match too much. */
export const MIN_PARTIAL_LENGTH = 3;

/** `\`, `%` and `_` are LIKE wildcards or its escape; match them literally. */
export const likePattern = (query: string): string => `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Bodies up to this long are shown whole in a snippet; longer ones as fragments around the matches. */
const WHOLE_BODY_CHARS = 240;

/** The body as ts_headline reads it: `<` as HEADLINE_MARKS.lt (see there). */
const headlineText = (column: string): string => `translate(${column}, '<', chr(3))`;
/** ts_headline's options: the marks (chr(1), chr(2): HEADLINE_MARKS), then `rest`. */
const headlineOptions = (rest: string): string => `'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', ${rest}'`;

/*
 * A page of hits, newest first, in two steps (searchMessages in domain/search-messages.ts):
 *
 * 1. walkRecent: the newest `window` messages below the page's upper bound, straight off the
 *    (created_at, id) index, whatever they say; the hits among them. A word in a few percent of
 *    messages fills a page here, at the cost of reading `window` rows, and the result is exact:
 *    every hit newer than the oldest row walked was looked at.
 * 2. searchIndexed, only when the walk did not fill the page and did not reach the end: the
 *    full-text and trigram indexes, older than the walk's edge. Rare words are found here; their
 *    matches are few, so fetching them all and sorting is cheap.
 *
 * Neither uses a plan that depends on how common the word is, which the planner cannot know
 * (a single plan walking the time index is seconds for a rare word; the index plan alone
 * fetches all 80,000 matches of a common one to keep 50).
 *
 * Both take the scope in SQL (no list of 1,000 ids to plan) and are named prepared statements,
 * planned once per connection: every bound is a parameter that is never NULL, so the generic
 * plan keeps its index conditions.
 */

type ScopeKind = 'all' | 'one';
/** The scope's ids; its parameters are $n (the user, or the one conversation) and $n+1 (the user's groups). */
const scopeSql = (kind: ScopeKind, n: number): string =>
  kind === 'one'
    ? `SELECT c.id FROM conversations c WHERE c.id = $${n}::uuid AND c.deleted_at IS NULL`
    : `SELECT c.id FROM conversations c
         WHERE c.deleted_at IS NULL AND (c.id IN (SELECT unnest($${n + 1}::uuid[]))) IS TRUE
        UNION ALL
        SELECT c.id FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
         WHERE cm.user_id = $${n}::uuid AND c.deleted_at IS NULL`;
// (… IN (…)) IS TRUE keeps an IN a hashed lookup: as a join, a generic plan (which guesses a
// dozen ids in an array parameter) would run it as a nested loop of index lookups.
const scopeKind = (scope: SearchScope): ScopeKind => ('conversationId' in scope ? 'one' : 'all');
const scopeParams = (scope: SearchScope, smallScope: number): unknown[] =>
  'conversationId' in scope ? [scope.conversationId] : [scope.userId, [...scope.groupIds], smallScope];

const HIT_COLUMNS = `m.id, m.conversation_id, m.seq, m.sender_id, m.body, m.client_message_id, m.reply_to_id, m.mentions,
       m.created_at, m.edited_at, m.deleted_at`;

/** The hits' final columns: the snippet's headline, the reactions and attachments (viewer $8). */
const presented = (alias: string): string => `${alias}.id, ${alias}.conversation_id, ${alias}.seq, ${alias}.sender_id, ${alias}.body,
       ${alias}.client_message_id, ${alias}.reply_to_id, ${alias}.mentions, ${alias}.created_at, ${alias}.edited_at, ${alias}.deleted_at,
       CASE WHEN NOT ${alias}.full_text THEN NULL
            WHEN length(${alias}.body) <= ${WHOLE_BODY_CHARS} THEN ts_headline('russian', ${headlineText(`${alias}.body`)}, q.tsq,
              ${headlineOptions('HighlightAll=true')})
            ELSE ts_headline('russian', ${headlineText(`${alias}.body`)}, q.tsq,
              ${headlineOptions('MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')}) END AS headline,
       ${reactionsJsonOf(alias, '$8')} AS reactions,
       ${attachmentsJsonOf(alias)} AS attachments`;

/**
 * $1 query, $2 whether partial words count, $3 the LIKE pattern: a row matches when its
 * full-text vector matches or (3+ characters) its body contains the query.
 */
const QUERY_CTE = `q AS (SELECT websearch_to_tsquery('russian', $1) || websearch_to_tsquery('english', $1) AS tsq)`;
const matches = (alias: string): string => `(${alias}.search_vector @@ q.tsq OR ($2::boolean AND ${alias}.body ILIKE $3))`;

/** The upper bound of a page: `before` ($4) and the cursor message ($5), whichever is lower. */
const BOUND_CTE = `cur AS (
       SELECT CASE WHEN $5::uuid IS NULL THEN 'infinity'::timestamptz
                   ELSE COALESCE((SELECT p.created_at FROM messages p WHERE p.id = $5::uuid), '-infinity') END AS at,
              $5::uuid AS id),
     bound AS (
       SELECT CASE WHEN cur.at < $4::timestamptz THEN cur.at ELSE $4::timestamptz END AS at,
              CASE WHEN cur.at < $4::timestamptz THEN cur.id ELSE '00000000-0000-0000-0000-000000000000'::uuid END AS id
         FROM cur)`;

/** The page's hits by id, in full: the snippet's headline, reactions and attachments, for these few rows only. */
const PRESENT_HITS = `SELECT ${presented('h')}
       FROM hits CROSS JOIN q
       JOIN LATERAL (SELECT ${HIT_COLUMNS}, m.search_vector @@ q.tsq AS full_text FROM messages m WHERE m.id = hits.id) h ON true
      ORDER BY h.created_at DESC, h.id DESC`;

/**
 * The default of SEARCH_SMALL_SCOPE: a scope of at most this many conversations is walked
 * conversation by conversation (each one's newest messages off messages_search_recent); a larger
 * one, the whole table's newest messages at once. The whole-table walk suits a caller in most
 * conversations (their hits are among the newest messages of the table); for a caller in a few
 * of thousands it would find few of their messages, and a common word would fall through to
 * fetching every match of the whole table from the text indexes (250 ms and more).
 */
export const SMALL_SCOPE_CONVERSATIONS = 100;

/*
 * One statement: the walk over the newest `window` messages below the page's bounds, keeping
 * narrow columns only (whether each row is a hit is decided as it goes: scope, sender, text);
 * then, only if the walk neither filled the page nor reached the end and found fewer than
 * $11 hits (a word too rare to walk on for), every match of the text indexes below the walk's
 * edge (a gating condition: PostgreSQL does not touch the indexes otherwise); the page's hits
 * are read in full at the end, by id. MATERIALIZED, and the bounds and scope tested after it:
 * in a generic plan the planner cannot tell how selective they are, and would start from the
 * scope (reading each conversation whole) or AND the text bitmap with a million-entry range of
 * the time index.
 *
 * The walk takes one of two forms, by the scope's size ($14 conversations at most: the small
 * one; a single conversation always), each gated so that only one runs:
 * - walked_all: the newest `window` messages of the whole table; its edge is its oldest row,
 *   when it read the whole window (else it reached the end).
 * - walked_each: each scope conversation's newest messages, `window` shared among them by how
 *   many messages each has had per second (last_seq over the time since its first message), so
 *   that the walks end at about the same time whatever their activity. A
 *   conversation that read its share without `limit` hits may have older hits unseen, so the
 *   edge is the newest of those conversations' oldest rows: every scope message at or above it
 *   was read, and hits are kept at or above it only. A conversation with `limit` hits needs no
 *   more (an older hit of it cannot be on the page), nor does one read to its end. Below the
 *   edge, the text indexes are ANDed with the scope's conversations (conversation_id = ANY),
 *   not read whole and filtered as for the large scope.
 */
const searchSql = (kind: ScopeKind): string => {
  const small = kind === 'one' ? 'true' : '(SELECT n FROM size) <= $14';
  const large = kind === 'one' ? 'false' : '(SELECT n FROM size) > $14';
  const keyBelowEdge = (alias: string) => `(${alias}.created_at, ${alias}.id) < ((SELECT created_at FROM edge), (SELECT id FROM edge))`;
  const walkedAll =
    kind === 'one'
      ? ''
      : `
     walked_all AS MATERIALIZED (
       SELECT m.id, m.created_at,
              ((m.conversation_id IN (SELECT id FROM scope)) AND ($7::uuid IS NULL OR m.sender_id = $7::uuid) AND ${matches('m')}) AS hit
         FROM messages m CROSS JOIN q
        WHERE m.deleted_at IS NULL AND ${large}
          AND (m.created_at, m.id) < ((SELECT at FROM bound), (SELECT id FROM bound))
          AND m.created_at > $6::timestamptz
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $9),`;
  const edgeAll =
    kind === 'one'
      ? ''
      : `(SELECT w.created_at, w.id FROM walked_all w WHERE (SELECT count(*) FROM walked_all) >= $9 ORDER BY w.created_at, w.id LIMIT 1)
       UNION ALL
       `;
  const matchedAll =
    kind === 'one'
      ? ''
      : `(SELECT w.id, w.created_at FROM matched_all w
         WHERE (w.conversation_id IN (SELECT id FROM scope)) IS TRUE AND ($7::uuid IS NULL OR w.sender_id = $7::uuid)
           AND ${keyBelowEdge('w')} AND w.created_at > $6::timestamptz
         ORDER BY w.created_at DESC, w.id DESC
         LIMIT $10)
       UNION ALL
       `;
  const matchedAllCte =
    kind === 'one'
      ? ''
      : `
     matched_all AS MATERIALIZED (
       SELECT m.id, m.created_at, m.conversation_id, m.sender_id
         FROM messages m CROSS JOIN q
        WHERE ${matches('m')} AND m.deleted_at IS NULL AND ${large} AND (SELECT go FROM indexed)),`;
  return `WITH ${QUERY_CTE}, ${BOUND_CTE},
     scope AS MATERIALIZED (${scopeSql(kind, 12)}),
     size AS MATERIALIZED (SELECT count(*) AS n FROM scope),${walkedAll}
     shares AS MATERIALIZED (
       SELECT r.id, (COALESCE(ceil($9::numeric * r.rate / NULLIF(sum(r.rate) OVER (), 0)), ceil($9::numeric / count(*) OVER ())) + 1)::int AS per
         FROM (SELECT c.id, COALESCE(c.last_seq / GREATEST(extract(epoch FROM c.last_message_at - f.created_at), 60), 0) AS rate
                 FROM scope s JOIN conversations c ON c.id = s.id
                 LEFT JOIN LATERAL (SELECT m.created_at FROM messages m WHERE m.conversation_id = s.id ORDER BY m.seq LIMIT 1) f ON true
                WHERE ${small}) r),
     walked_each AS MATERIALIZED (
       SELECT w.id, w.created_at, w.hit, w.rn, w.conversation_hits, s.per
         FROM shares s CROSS JOIN LATERAL (
           SELECT x.id, x.created_at, x.hit,
                  row_number() OVER (ORDER BY x.created_at DESC, x.id DESC) AS rn,
                  count(*) FILTER (WHERE x.hit) OVER () AS conversation_hits
             FROM (SELECT m.id, m.created_at, (($7::uuid IS NULL OR m.sender_id = $7::uuid) AND ${matches('m')}) AS hit
                     FROM messages m CROSS JOIN q
                    WHERE m.conversation_id = s.id AND m.deleted_at IS NULL
                      AND (m.created_at, m.id) < ((SELECT at FROM bound), (SELECT id FROM bound))
                      AND m.created_at > $6::timestamptz
                    ORDER BY m.created_at DESC, m.id DESC
                    LIMIT s.per) x) w),
     edge AS MATERIALIZED (
       ${edgeAll}(SELECT w.created_at, w.id FROM walked_each w
         WHERE w.rn = w.per AND w.conversation_hits < $10
         ORDER BY w.created_at DESC, w.id DESC LIMIT 1)),
     walked AS MATERIALIZED (
       SELECT w.id, w.created_at, w.hit FROM (${kind === 'one' ? '' : 'SELECT id, created_at, hit FROM walked_all UNION ALL '}SELECT id, created_at, hit FROM walked_each) w
        WHERE NOT EXISTS (SELECT 1 FROM edge) OR NOT ${keyBelowEdge('w')}),
     walk_hits AS MATERIALIZED (SELECT w.id, w.created_at FROM walked w WHERE w.hit ORDER BY w.created_at DESC, w.id DESC LIMIT $10),
     indexed AS MATERIALIZED (
       SELECT (SELECT count(*) FROM walk_hits) < (CASE WHEN ${small} THEN $10 ELSE LEAST($10, $11::int) END) AND EXISTS (SELECT 1 FROM edge) AS go),${matchedAllCte}
     hits AS (
       SELECT id, created_at FROM walk_hits
       UNION ALL
       ${matchedAll}(SELECT m.id, m.created_at
          FROM messages m CROSS JOIN q
         WHERE ${matches('m')} AND m.deleted_at IS NULL AND ${small} AND (SELECT go FROM indexed)
           AND m.conversation_id = ANY (ARRAY(SELECT id FROM scope))
           AND ($7::uuid IS NULL OR m.sender_id = $7::uuid)
           AND ${keyBelowEdge('m')} AND m.created_at > $6::timestamptz
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT $10)),
     page AS (${PRESENT_HITS})
     SELECT edge.id AS edge_id, (SELECT count(*) FROM walked) AS examined, (SELECT count(*) FROM walk_hits) AS walk_hits,
            (SELECT go FROM indexed) AS indexed, page.*
       FROM (SELECT 1) one LEFT JOIN edge ON true LEFT JOIN page ON true
      ORDER BY page.created_at DESC, page.id DESC`;
};

const textParams = (query: string): unknown[] => [query, Array.from(query).length >= MIN_PARTIAL_LENGTH, likePattern(query)];

/** What one search statement found and how far it got. */
export interface SearchStep {
  /** Up to filters.limit hits, newest first. */
  hits: SearchHitRow[];
  /** Whether these are the newest hits there are: nothing older can belong before them on the page. */
  complete: boolean;
  /**
   * Where the walk stopped short (a cursor to walk on from: every message of the scope at or
   * above it was read), or null when it read to the end; and how many rows above it it read.
   */
  edgeId: string | null;
  examined: number;
  walkHits: number;
}

/**
 * One search statement (see searchSql): the hits among the newest `window` messages below the
 * page's bounds, and, when the walk found fewer than `indexBelow` of them without filling the
 * page, the older ones from the text indexes too.
 */
export async function searchStep(
  db: Queryable,
  scope: SearchScope,
  filters: SearchFilters,
  viewerId: string,
  window: number,
  indexBelow: number,
  smallScope: number = SMALL_SCOPE_CONVERSATIONS,
): Promise<SearchStep> {
  const kind = scopeKind(scope);
  const { rows } = await db.query<SearchHitRow & { edge_id: string | null; examined: number; walk_hits: number; indexed: boolean }>(
    searchSql(kind),
    [
      ...textParams(filters.query),
      filters.before ?? 'infinity',
      filters.afterMessageId ?? null,
      filters.after ?? '-infinity',
      filters.senderId ?? null,
      viewerId,
      window,
      filters.limit,
      indexBelow,
      ...scopeParams(scope, smallScope),
    ],
    { prepare: `messages.search-${kind}` },
  );
  const first = rows[0]!;
  const hits = rows
    .filter((row) => row.id !== null)
    .map(({ edge_id: _, examined: __, walk_hits: ___, indexed: ____, ...hit }) => ({ ...hit, seq: Number(hit.seq) }));
  const examined = Number(first.examined);
  const walkHits = Number(first.walk_hits);
  const edgeId = first.edge_id ?? null;
  const indexed = first.indexed === true;
  return { hits, complete: indexed || walkHits >= filters.limit || edgeId === null, edgeId, examined, walkHits };
}

/** The text indexes whose pending lists mergePendingSearchEntries() merges (migration 0006). */
const TEXT_INDEXES = ['messages_search_vector', 'messages_body_trgm'] as const;

/**
 * Moves the text indexes' pending entries (new and edited messages) into the indexes proper;
 * returns how many pending-list pages that took. Cheap when nothing is pending. Needs to own
 * the indexes (like VACUUM): a role that does not gets 42501 (insufficient_privilege).
 */
export async function mergePendingSearchEntries(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ pages: string | number }>(
    `SELECT ${TEXT_INDEXES.map((name) => `gin_clean_pending_list('${name}'::regclass)`).join(' + ')} AS pages`,
  );
  return Number(rows[0]?.pages ?? 0);
}
