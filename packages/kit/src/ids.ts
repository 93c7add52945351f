import { createHash } from 'node:crypto';
import { UUID as Uuid, uuidv7 } from 'uuidv7';

/** Time-ordered ids (UUIDv7) for every entity and event. */
export const newId = (): string => uuidv7();

/** The smallest UUIDv7 of a moment: every id newId() made before it sorts below it. */
export const firstIdAt = (at: Date): string => Uuid.fromFieldsV7(Math.max(0, Math.floor(at.getTime())), 0, 0, 0).toString();

/**
 * A UUIDv7 that sorts where `base` (a UUIDv7) sorts: it keeps base's time and counter bits and
 * takes its last 32 random bits from `salt`. Records made for another record (a notification per
 * message and user) then list in the other record's order, whatever order their events were
 * handled in, and the same pair always makes the same id.
 */
export const idBeside = (base: string, salt: string): string => {
  const head = base.slice(0, 28); // 8-4-4-4- and the first 4 hex of the last group: 96 bits
  return head + createHash('sha256').update(`${base}/${salt}`).digest('hex').slice(0, 8);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);
