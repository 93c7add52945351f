import type { Queryable } from '@parley/kit';

/** The conversations a search may look in: the caller's, as membership says right now. */
export interface SearchScope {
  userId: string;
  conversationIds: readonly string[];
}

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

export interface SearchHitRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  body: string;
  client_message_id: string;
  reply_to_id: string | null;
  mentions: string[];
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  /**
   * ts_headline over the HTML-escaped body with <mark> around matched words, when the full-text
   * query matched; null for hits found only by partial-word (trigram) matching.
   */
  headline: string | null;
}

/** Partial-word matching needs three characters: trigrams of shorter strings match too much. */
export const MIN_PARTIAL_LENGTH = 3;

/** `\`, `%` and `_` are LIKE wildcards or its escape; match them literally. */
export const likePattern = (query: string): string => `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Bodies up to this long are shown whole in a snippet; longer ones as fragments around the matches. */
const WHOLE_BODY_CHARS = 240;

/** The body with & < > " ' as entities: nothing in it can open a tag, so <mark> is the only markup. */
const escapedHtml = (column: string): string =>
  `replace(replace(replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')`;

/**
 * Messages in scope matching the query, newest first: full text in Russian and English
 * (websearch_to_tsquery, which accepts any input: quotes, operators and punctuation are
 * syntax it tolerates, never an error) or, for 3+ characters, the body containing the query
 * (ILIKE, served by the trigram index). Deleted messages and deleted conversations never
 * match. Returns up to limit + 1 rows, so the caller knows whether there is a next page.
 */
export async function searchMessages(db: Queryable, scope: SearchScope, filters: SearchFilters): Promise<SearchHitRow[]> {
  if (scope.conversationIds.length === 0) return [];
  const partial = Array.from(filters.query).length >= MIN_PARTIAL_LENGTH;
  const { rows } = await db.query<SearchHitRow>(
    `WITH q AS (SELECT websearch_to_tsquery('russian', $2) || websearch_to_tsquery('english', $2) AS tsq),
     hits AS (
       SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.body, m.client_message_id, m.reply_to_id, m.mentions,
              m.created_at, m.edited_at, m.deleted_at, m.search_vector @@ q.tsq AS full_text
         FROM messages m
         JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL
         CROSS JOIN q
        WHERE m.conversation_id = ANY($1::uuid[])
          AND m.deleted_at IS NULL
          AND (m.search_vector @@ q.tsq OR ($3::boolean AND m.body ILIKE $4))
          AND ($5::uuid IS NULL OR m.sender_id = $5)
          AND ($6::timestamptz IS NULL OR m.created_at < $6)
          AND ($7::timestamptz IS NULL OR m.created_at > $7)
          AND ($8::uuid IS NULL OR (m.created_at, m.id) < (SELECT p.created_at, p.id FROM messages p WHERE p.id = $8))
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $9
     )
     SELECT h.id, h.conversation_id, h.seq, h.sender_id, h.body, h.client_message_id, h.reply_to_id, h.mentions,
            h.created_at, h.edited_at, h.deleted_at,
            CASE WHEN NOT h.full_text THEN NULL
                 WHEN length(h.body) <= ${WHOLE_BODY_CHARS} THEN ts_headline('russian', ${escapedHtml('h.body')}, q.tsq,
                   'StartSel=<mark>, StopSel=</mark>, HighlightAll=true')
                 ELSE ts_headline('russian', ${escapedHtml('h.body')}, q.tsq,
                   'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') END AS headline
       FROM hits h CROSS JOIN q
      ORDER BY h.created_at DESC, h.id DESC`,
    [
      scope.conversationIds,
      filters.query,
      partial,
      likePattern(filters.query),
      filters.senderId ?? null,
      filters.before ?? null,
      filters.after ?? null,
      filters.afterMessageId ?? null,
      filters.limit + 1,
    ],
  );
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}
