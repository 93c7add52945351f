-- Message search: full text with Russian and English stemming, plus trigram matching for
-- partial words. The 'russian' configuration stems Cyrillic words with the Russian stemmer and
-- ASCII words with the English one; 'english' adds English stems of everything else, so a
-- query in either language finds inflected forms ("отчёт" finds "отчёты", "meeting" finds
-- "meetings"). Kept by PostgreSQL itself: edits and tombstones ('' body) update it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE messages ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, body) || to_tsvector('english'::regconfig, body)) STORED;

CREATE INDEX messages_search_vector ON messages USING gin (search_vector);

-- ILIKE '%part%' for queries of 3 characters or more.
CREATE INDEX messages_body_trgm ON messages USING gin (body gin_trgm_ops);

-- Newest-first results within a conversation (the conversation filter and small scopes).
CREATE INDEX messages_search_recent ON messages (conversation_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
