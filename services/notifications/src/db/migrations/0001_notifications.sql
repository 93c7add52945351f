-- Conversations this service has heard of, with their kind; direct ones with their two members
-- (fed by conversation.created and by message events carrying recipients). A group's
-- conversation has the group's id; its members come from the groups service.
CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('direct', 'group')),
  member_ids uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
-- "Who shares a direct conversation with this user" (presence audience).
CREATE INDEX conversations_direct_members ON conversations USING gin (member_ids) WHERE kind = 'direct';

-- Stored notifications: mentions, direct messages, being added to a group.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  kind text NOT NULL,
  conversation_id uuid,
  message_id uuid,
  group_id uuid,
  actor_id uuid,
  preview text,
  -- The domain event that caused it: one notification per user and event, whatever redelivers.
  source_event_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE UNIQUE INDEX notifications_once ON notifications (source_event_id, user_id);
CREATE INDEX notifications_by_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_by_user ON notifications (user_id, id DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_by_message ON notifications (message_id) WHERE message_id IS NOT NULL;

-- Per user and conversation: muted conversations produce no notifications.
CREATE TABLE conversation_settings (
  user_id uuid NOT NULL,
  conversation_id uuid NOT NULL,
  muted boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, conversation_id)
);
CREATE INDEX conversation_settings_muted ON conversation_settings (conversation_id, user_id) WHERE muted;

-- Web Push subscriptions, one per browser endpoint.
CREATE TABLE push_subscriptions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  endpoint text NOT NULL UNIQUE,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_success_at timestamptz
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

-- The VAPID key pair, generated on first start and shared by every instance.
CREATE TABLE vapid_keys (
  id smallint PRIMARY KEY CHECK (id = 1),
  public_key text NOT NULL,
  private_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
