-- Conversations: a direct chat of two users (one per pair, by direct_key) or a group's chat,
-- whose id is the group's id. Group membership lives in the groups service (asked over gRPC,
-- cached); direct membership is conversation_members.
CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('direct', 'group')),
  -- 'smallerUserId:largerUserId' for direct chats; NULL for groups.
  direct_key text UNIQUE,
  -- The group's name (fed by group.created / group.updated); NULL for direct chats.
  title text,
  -- occurredAt of the event that set title, so an older event arriving late never wins.
  title_at timestamptz,
  -- The seq of the newest message; taken with UPDATE ... RETURNING in the sending transaction.
  last_seq bigint NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when the group was deleted: the conversation is gone for everyone.
  deleted_at timestamptz,
  CHECK ((type = 'direct') = (direct_key IS NOT NULL))
);

-- Members of DIRECT conversations only.
CREATE TABLE conversation_members (
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_by_user ON conversation_members (user_id, conversation_id);

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  sender_id uuid NOT NULL,
  -- '' for a tombstone (deleted_at set).
  body text NOT NULL,
  client_message_id text NOT NULL,
  reply_to_id uuid NULL REFERENCES messages (id),
  -- Members named with @username, resolved when the body was written.
  mentions uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  -- Keyset pagination and gap detection; also the guarantee of no duplicate seq.
  UNIQUE (conversation_id, seq),
  -- Idempotent sends: a resend of one clientMessageId finds the first message.
  UNIQUE (sender_id, conversation_id, client_message_id)
);

CREATE TABLE reactions (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  emoji text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, user_id, emoji)
);
CREATE INDEX reactions_by_emoji ON reactions (message_id, emoji);

CREATE TABLE read_state (
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  -- Read up to and including this seq; never moves backwards.
  last_read_seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, user_id)
);
