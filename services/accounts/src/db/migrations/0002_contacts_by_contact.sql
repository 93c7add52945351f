-- "Who has this user as a contact" (accounts.v1.Users/ListContactOf, for presence): the primary
-- key serves the other direction only.
CREATE INDEX contacts_contact ON contacts (contact_id, created_at, user_id);
