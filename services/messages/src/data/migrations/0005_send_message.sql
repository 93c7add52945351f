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
) RETURNS TABLE (
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
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_seq bigint;
  v_recipients uuid[] := p_recipients;
BEGIN
  RETURN QUERY
    SELECT 'resent'::text, m.id, m.conversation_id, m.seq, m.sender_id, m.body, m.client_message_id, m.reply_to_id,
           m.mentions, m.created_at, m.edited_at, m.deleted_at, NULL::uuid[]
      FROM messages m
     WHERE m.sender_id = p_sender_id AND m.conversation_id = p_conversation_id AND m.client_message_id = p_client_message_id;
  IF FOUND THEN
    RETURN;
  END IF;

  IF p_reply_to_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.id = p_reply_to_id AND r.conversation_id = p_conversation_id) THEN
    outcome := 'bad_reply';
    RETURN NEXT;
    RETURN;
  END IF;

  UPDATE conversations c SET last_seq = c.last_seq + 1, last_message_at = p_created_at
   WHERE c.id = p_conversation_id
  RETURNING c.last_seq INTO v_seq;
  IF v_seq IS NULL THEN
    RAISE EXCEPTION 'conversation % vanished while sending', p_conversation_id;
  END IF;

  INSERT INTO messages (id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions, created_at)
  VALUES (p_id, p_conversation_id, v_seq, p_sender_id, p_body, p_client_message_id, p_reply_to_id, p_mentions, p_created_at);

  IF v_recipients IS NULL THEN
    SELECT coalesce(array_agg(cm.user_id ORDER BY cm.user_id), '{}') INTO v_recipients
      FROM conversation_members cm WHERE cm.conversation_id = p_conversation_id;
  END IF;

  IF p_event_id IS NOT NULL THEN
    INSERT INTO outbox (id, type, occurred_at, producer, data)
    VALUES (p_event_id, 'message.created', p_event_occurred_at, 'messages',
            jsonb_set(jsonb_set(p_event_data, '{message,seq}', to_jsonb(v_seq)), '{recipients}', to_jsonb(v_recipients)));
  END IF;

  outcome := 'created';
  id := p_id;
  conversation_id := p_conversation_id;
  seq := v_seq;
  sender_id := p_sender_id;
  body := p_body;
  client_message_id := p_client_message_id;
  reply_to_id := p_reply_to_id;
  mentions := p_mentions;
  created_at := p_created_at;
  recipients := v_recipients;
  RETURN NEXT;
END
$$;
