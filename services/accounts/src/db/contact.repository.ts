import type { Queryable } from '@parley/kit';

export async function addContact(db: Queryable, userId: string, contactId: string): Promise<boolean> {
  const result = await db.query('INSERT INTO contacts (user_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, contactId]);
  return result.rowCount > 0;
}

export async function removeContact(db: Queryable, userId: string, contactId: string): Promise<boolean> {
  const result = await db.query('DELETE FROM contacts WHERE user_id = $1 AND contact_id = $2', [userId, contactId]);
  return result.rowCount > 0;
}

export async function listContactIds(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ contact_id: string }>('SELECT contact_id FROM contacts WHERE user_id = $1 ORDER BY created_at, contact_id', [userId]);
  return rows.map((r) => r.contact_id);
}

/** Who has `contactId` as a contact, oldest first; one row more than `limit` tells the caller the list was cut. */
export async function listContactOfIds(db: Queryable, contactId: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM contacts WHERE contact_id = $1 ORDER BY created_at, user_id LIMIT $2', [
    contactId,
    limit,
  ]);
  return rows.map((r) => r.user_id);
}
