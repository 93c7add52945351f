import type { Queryable } from '@parley/kit';

export async function addContact(db: Queryable, userId: string, contactId: string): Promise<boolean> {
  const result = await db.query(
    'INSERT INTO contacts (user_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [userId, contactId],
  );
  return result.rowCount > 0;
}

export async function removeContact(db: Queryable, userId: string, contactId: string): Promise<boolean> {
  const result = await db.query('DELETE FROM contacts WHERE user_id = $1 AND contact_id = $2', [userId, contactId]);
  return result.rowCount > 0;
}

export async function listContactIds(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ contact_id: string }>(
    'SELECT contact_id FROM contacts WHERE user_id = $1 ORDER BY created_at, contact_id',
    [userId],
  );
  return rows.map((r) => r.contact_id);
}
