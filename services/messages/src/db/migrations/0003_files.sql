-- Uploaded files: metadata here, bytes in the file storage under storage_key (the file's id,
-- never a name a user chose).
CREATE TABLE files (
  id uuid PRIMARY KEY,
  uploader_id uuid NOT NULL,
  -- The sanitised display name.
  name text NOT NULL,
  size bigint NOT NULL CHECK (size > 0),
  -- Sniffed from the bytes, never the declared type.
  content_type text NOT NULL,
  storage_key text NOT NULL,
  thumbnail_key text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The clean-up job's scan of old uploads.
CREATE INDEX files_created_at ON files (created_at);

-- A file shared in a message; downloads are allowed to members of conversation_id.
CREATE TABLE message_attachments (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  file_id uuid NOT NULL REFERENCES files (id),
  conversation_id uuid NOT NULL,
  -- The order the sender listed the files in.
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, file_id)
);
CREATE INDEX message_attachments_by_file ON message_attachments (file_id, conversation_id);
