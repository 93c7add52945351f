-- Read path (issue 3 benchmarks).

-- Search walks the newest messages first (search.repository.ts): a common word is found in the
-- first few hundred rows of this index, where the full-text index would hand over every one of
-- its matches (80,000 for a word in 8 % of messages) only for all but 50 to be thrown away.
CREATE INDEX messages_recent ON messages (created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- No pending lists: with fastupdate each new message waits in an unsorted list (up to 4 MB) that
-- every search scans in full (a rare word: 12 ms instead of 1.5 ms after 14,000 new messages),
-- and the insert that fills the list merges it in the foreground. Inserting into the index
-- directly costs each send a little, always the same.
ALTER INDEX messages_search_vector SET (fastupdate = off);
ALTER INDEX messages_body_trgm SET (fastupdate = off);

-- Replies point at messages; without this, deleting a message (or a conversation, by cascade)
-- checks for replies to it with a scan of the whole table.
CREATE INDEX messages_reply_to ON messages (reply_to_id) WHERE reply_to_id IS NOT NULL;

-- Named prepared statements (search, history, send) run their generic plan, planned once per
-- connection, instead of being planned anew at each run: the planner keeps choosing custom plans
-- for the search (whose generic estimates it cannot compare), and planning it costs more than
-- running it. Each such statement is written for its generic plan (bounds never NULL, CTEs
-- MATERIALIZED where a guess could reorder them); bench/messages/EXPLAIN.md shows those plans.
-- Unnamed statements are planned with their values whatever this says. Only the database's owner
-- may set this: under a role that does not own it, the migration goes on without (custom plans).
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_generic_plan', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'plan_cache_mode not set: the database is not ours';
END $$;
