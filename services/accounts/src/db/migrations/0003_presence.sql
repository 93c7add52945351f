-- What other users see of the user: online | away | dnd while connected (the status chosen),
-- offline otherwise, as the notifications service decided it (presence.changed events,
-- docs/presence.md). `status` stays what the user chose; only the user sees it.
ALTER TABLE users ADD COLUMN presence text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'dnd', 'offline'));
-- The presence.changed event applied last (UUIDv7, so time-ordered): an older or repeated one changes nothing.
ALTER TABLE users ADD COLUMN presence_event_id uuid;
-- The idle job looks only at connected users who chose online: idle is a connected user's state.
DROP INDEX users_idle;
CREATE INDEX users_idle ON users (last_seen_at) WHERE status = 'online' AND presence <> 'offline';
