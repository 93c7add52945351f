import { hash, verify } from '@node-rs/argon2';

// Algorithm is an ambient const enum in @node-rs/argon2; 2 is its Argon2id.
const ARGON2ID = 2;

/** argon2id with OWASP's minimum (m=19 MiB, t=2, p=1). */
export const ARGON2_PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_PARAMS);

// Verified against when no such user exists, so an unknown login costs as much as a wrong password.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hashPassword('parley-dummy-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
