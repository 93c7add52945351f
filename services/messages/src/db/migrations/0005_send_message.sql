-- What a send answers: the outcome ('created', 'resent', 'bad_reply'), the message, and for a
-- new message everyone to notify.
CREATE TYPE sent_message AS (
  outcome text,
  id uuid,
  conversation_id uuid,
  seq bigint,
  sender_id uuid,
  body text,
  client_message_id text,
  reply_to_id uuid,
  mentions uuid[],
  created_at timestamptz,
  edited_at timestamptz,
  deleted_at timestamptz,
  recipients uuid[]
);

-- A send in one round trip: the idempotency check, the next seq, the message and its
-- message.created outbox row, in one statement (so one implicit transaction, one commit). The
-- statements inside a PL/pgSQL function are planned once per connection, not on every call.
--
-- Guarantees, as with the separate statements before:
-- * seq: the UPDATE of the conversation row takes the row lock until commit, so concurrent
--   senders take turns and seqs have no gap and no duplicate;
-- * idempotency: an earlier message of this sender with this client_message_id is returned
--   ('resent') and nothing is written. A concurrent resend that committed after our check but
--   before our INSERT makes the INSERT fail with unique_violation (23505), which rolls the whole
--   statement back, the seq included; the caller then reads the winner;
-- * p_reply_to_id must be a message of this conversation ('bad_reply', nothing written);
-- * the event goes into the outbox in the same transaction, with the seq taken here and, for a
--   direct conversation (p_recipients NULL), its members as recipients. p_event_id NULL: no
--   event here (the caller writes it after attaching files in its own transaction).
CREATE FUNCTION send_message(
  p_id uuid,
  p_conversation_id uuid,
  p_sender_id uuid,
  p_body text,
  p_client_message_id text,
  p_reply_to_id uuid,
  p_mentions uuid[],
  p_created_at timestamptz,
  p_recipients uuid[],
  p_event_id uuid,
  p_event_occurred_at timestamptz,
  p_event_data jsonb
) RETURNS sent_message LANGUAGE plpgsql AS $$
DECLARE
  v_recipients uuid[] := p_recipients;
  r sent_message;
BEGIN
  SELECT 'resent', m.id, m.conversation_id, m.seq, m.sender_id, m.body, m.client_message_id, m.reply_to_id,
         m.mentions, m.created_at, m.edited_at, m.deleted_at, NULL
    INTO r
    FROM messages m
   WHERE m.sender_id = p_sender_id AND m.conversation_id = p_conversation_id AND m.client_message_id = p_client_message_id;
  IF FOUND THEN
    RETURN r;
  END IF;

  IF p_reply_to_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = p_reply_to_id AND m.conversation_id = p_conversation_id) THEN
    r.outcome := 'bad_reply';
    RETURN r;
  END IF;

  UPDATE conversations c SET last_seq = c.last_seq + 1, last_message_at = p_created_at
   WHERE c.id = p_conversation_id
  RETURNING c.last_seq INTO r.seq;
  IF r.seq IS NULL THEN
    RAISE EXCEPTION 'conversation % vanished while sending', p_conversation_id;
  END IF;

  INSERT INTO messages (id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions, created_at)
  VALUES (p_id, p_conversation_id, r.seq, p_sender_id, p_body, p_client_message_id, p_reply_to_id, p_mentions, p_created_at);

  IF v_recipients IS NULL THEN
    SELECT coalesce(array_agg(cm.user_id ORDER BY cm.user_id), '{}') INTO v_recipients
      FROM conversation_members cm WHERE cm.conversation_id = p_conversation_id;
  END IF;

  IF p_event_id IS NOT NULL THEN
    INSERT INTO outbox (id, type, occurred_at, producer, data)
    VALUES (p_event_id, 'message.created', p_event_occurred_at, 'messages',
            jsonb_set(jsonb_set(p_event_data, '{message,seq}', to_jsonb(r.seq)), '{recipients}', to_jsonb(v_recipients)));
  END IF;

  r.outcome := 'created';
  r.id := p_id;
  r.conversation_id := p_conversation_id;
  r.sender_id := p_sender_id;
  r.body := p_body;
  r.client_message_id := p_client_message_id;
  r.reply_to_id := p_reply_to_id;
  r.mentions := p_mentions;
  r.created_at := p_created_at;
  r.recipients := v_recipients;
  RETURN r;
END
$$;

-- Group commit of sends: several plain sends (from concurrent requests) in one call, so one
-- round trip and one commit (one WAL flush) for all of them. Each item is exactly a
-- send_message() call, in the order given, with its own outcome row in the same order; an item
-- sees the items before it (a resend of the same clientMessageId in one batch is 'resent').
-- An error in any item (a unique_violation from a resend racing in another transaction, say)
-- rolls back the whole batch; the caller then sends the items one by one.
-- The caller orders items by conversation, so two batches lock conversation rows in the same
-- order and cannot deadlock.
CREATE FUNCTION send_messages(p_items jsonb) RETURNS SETOF sent_message LANGUAGE plpgsql AS $$
DECLARE
  item jsonb;
BEGIN
  FOR item IN SELECT e.value FROM jsonb_array_elements(p_items) e LOOP
    RETURN NEXT send_message(
      (item->>'id')::uuid,
      (item->>'conversationId')::uuid,
      (item->>'senderId')::uuid,
      item->>'body',
      item->>'clientMessageId',
      (item->>'replyToId')::uuid,
      ARRAY(SELECT jsonb_array_elements_text(item->'mentions'))::uuid[],
      (item->>'createdAt')::timestamptz,
      CASE WHEN jsonb_typeof(item->'recipients') = 'array'
           THEN ARRAY(SELECT jsonb_array_elements_text(item->'recipients'))::uuid[] END,
      (item->>'eventId')::uuid,
      (item->>'eventOccurredAt')::timestamptz,
      item->'eventData');
  END LOOP;
END
$$;
