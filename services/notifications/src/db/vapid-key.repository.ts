import type { Queryable } from '@parley/kit';

export interface VapidKeyRow {
  public_key: string;
  private_key: string;
}

export async function findVapidKeys(db: Queryable): Promise<VapidKeyRow | undefined> {
  const { rows } = await db.query<VapidKeyRow>('SELECT public_key, private_key FROM vapid_keys WHERE id = 1');
  return rows[0];
}

/** Stores the pair unless another instance stored one first; the caller reads back the winner. */
export async function insertVapidKeys(db: Queryable, keys: VapidKeyRow): Promise<void> {
  await db.query('INSERT INTO vapid_keys (id, public_key, private_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [keys.public_key, keys.private_key]);
}
