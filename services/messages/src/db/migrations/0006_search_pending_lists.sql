-- Send path: new messages go into the text indexes' pending lists again, and the service merges
-- those lists every second (domain/search-index-merger.ts, SEARCH_INDEX_MERGE_MS). Inserting
-- each message straight into both GIN indexes (fastupdate = off, migration 0004) was the largest
-- single cost of a send in PostgreSQL: a message's ~40 trigrams and ~10 lexemes each went down
-- the index on their own. The pending list takes them in one append, and the merge sorts a
-- second's worth of messages and adds each key's new rows at once. Measured with 8 concurrent
-- senders of 8 messages per transaction (bench/RESULTS.md): 723–845 µs of CPU per message
-- without, 493–531 µs with (the merges included).
--
-- What 0004 turned it off for stays fixed: every search scans the pending list, and the list
-- used to grow to 4 MB (14,000 messages, +10 ms per search) before an insert merged it in the
-- foreground. Now it holds about a second of messages; the limit below (2 MB) only applies if
-- the merger is off or behind, and bounds what a search or an insert can be made to pay then.
ALTER INDEX messages_search_vector SET (fastupdate = on, gin_pending_list_limit = 2048);
ALTER INDEX messages_body_trgm SET (fastupdate = on, gin_pending_list_limit = 2048);
