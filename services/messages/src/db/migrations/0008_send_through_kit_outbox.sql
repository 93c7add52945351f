-- send_message() writes its message.created through the kit's enqueue_event() (created by the
-- kit's migration 0000_outbox_enqueue, which runs before this one) instead of inserting into the
-- outbox table itself: the outbox's layout lives in the kit alone (packages/kit/src/bus/outbox.ts).
-- Still one statement and one round trip per send (or per batch, send_messages()); PL/pgSQL plans
-- the call once per connection. Otherwise exactly migration 0007's function; send_messages()
-- calls it unchanged.
CREATE OR REPLACE FUNCTION send_message(
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
   WHERE c.id = p_conversation_id AND c.deleted_at IS NULL
  RETURNING c.last_seq INTO r.seq;
  IF r.seq IS NULL THEN
    r.outcome := 'gone';
    RETURN r;
  END IF;

  INSERT INTO messages (id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions, created_at)
  VALUES (p_id, p_conversation_id, r.seq, p_sender_id, p_body, p_client_message_id, p_reply_to_id, p_mentions, p_created_at);

  IF v_recipients IS NULL THEN
    SELECT coalesce(array_agg(cm.user_id ORDER BY cm.user_id), '{}') INTO v_recipients
      FROM conversation_members cm WHERE cm.conversation_id = p_conversation_id;
  END IF;

  IF p_event_id IS NOT NULL THEN
    PERFORM enqueue_event(p_event_id, 'message.created', p_event_occurred_at, 'messages',
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
