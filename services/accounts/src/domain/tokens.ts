import { createHash, randomBytes } from 'node:crypto';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, newId, type Db } from '@parley/kit';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type KeyObject } from 'jose';
import { loadOrCreateSigningKeys } from '../db/signing-key.repository.ts';

export interface TokenIssuer {
  /** The public keys, served at /.well-known/jwks.json. */
  jwks: JSONWebKeySet;
  issueAccessToken(userId: string, sessionId: string): Promise<string>;
  accessTokenTtlSeconds: number;
}

/** Loads the EdDSA signing key (generating and persisting it on first start). */
export async function createTokenIssuer(db: Db, accessTokenTtlSeconds: number): Promise<TokenIssuer> {
  const keys = await loadOrCreateSigningKeys(db, async () => {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = newId();
    const meta = { kid, alg: 'EdDSA', use: 'sig' };
    return {
      kid,
      private_jwk: { ...(await exportJWK(pair.privateKey)), ...meta },
      public_jwk: { ...(await exportJWK(pair.publicKey)), ...meta },
    };
  });
  const current = keys[0]!;
  const privateKey = (await importJWK(current.private_jwk, 'EdDSA')) as CryptoKey | KeyObject;
  return {
    jwks: { keys: keys.map((k) => k.public_jwk) },
    accessTokenTtlSeconds,
    issueAccessToken: (userId, sessionId) =>
      new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'EdDSA', kid: current.kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${accessTokenTtlSeconds}s`)
        .sign(privateKey),
  };
}

/** Refresh tokens are opaque random strings; only their hash is stored. */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');
