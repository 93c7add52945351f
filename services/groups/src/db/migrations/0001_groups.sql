CREATE TABLE groups (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text,
  -- Denormalised from memberships (the one row with role 'owner'), kept in the same transaction.
  owner_id uuid NOT NULL,
  -- Kept in the same transaction as memberships; read under the group's row lock for the member limit.
  member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  -- A user of accounts (another database: no foreign key).
  user_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id)
);
-- Exactly one owner: at most one by this index, at least one by the use cases (the owner can't leave or be removed).
CREATE UNIQUE INDEX memberships_one_owner ON memberships (group_id) WHERE role = 'owner';
-- A user's groups, newest group first.
CREATE INDEX memberships_user ON memberships (user_id, group_id DESC);
