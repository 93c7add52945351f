-- What other users are shown of each connected user: the one record behind `presence` frames,
-- GET /api/v1/presence and (through presence.changed events) the profiles at accounts
-- (docs/presence.md). A row per user announced as connected; `hidden` is a connected invisible
-- user (shown offline). No row: offline. Changed only together with its event (outbox).
CREATE TABLE shown_presence (
  user_id uuid PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('online', 'away', 'dnd', 'hidden')),
  changed_at timestamptz NOT NULL DEFAULT now()
);
