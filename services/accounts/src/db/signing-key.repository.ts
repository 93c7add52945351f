import type { Db } from '@parley/kit';
import type { JWK } from 'jose';

export interface SigningKeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
}

/**
 * The newest signing key, creating it with `generate` on first start. An advisory lock keeps
 * two instances starting together from creating two keys.
 */
export async function loadOrCreateSigningKeys(db: Db, generate: () => Promise<SigningKeyRow>): Promise<SigningKeyRow[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7243002)');
    const existing = await tx.query<SigningKeyRow>('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC');
    if (existing.rows.length > 0) return existing.rows;
    const key = await generate();
    await tx.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [
      key.kid,
      JSON.stringify(key.private_jwk),
      JSON.stringify(key.public_jwk),
    ]);
    return [key];
  });
}
