import type { Db } from '@parley/kit';
import webpush from 'web-push';
import { findVapidKeys, insertVapidKeys } from '../db/vapid-key.repository.ts';

/** What web-push signs with (RFC 8292). */
export interface VapidKeys {
  subject: string;
  publicKey: string;
  privateKey: string;
}

/**
 * The service's VAPID key pair: generated on the very first start and kept in the database, so
 * every instance signs with the same key and subscriptions survive restarts (a browser's
 * subscription is bound to the public key it was made with).
 */
export async function loadVapidKeys(db: Db, subject: string): Promise<VapidKeys> {
  let stored = await findVapidKeys(db);
  if (!stored) {
    const fresh = webpush.generateVAPIDKeys();
    await insertVapidKeys(db, { public_key: fresh.publicKey, private_key: fresh.privateKey });
    // Another instance starting at the same moment may have won: everyone uses the stored pair.
    stored = await findVapidKeys(db);
  }
  if (!stored) throw new Error('VAPID keys could not be stored');
  return { subject, publicKey: stored.public_key, privateKey: stored.private_key };
}
