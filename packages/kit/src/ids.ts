import { UUID as Uuid, uuidv7 } from 'uuidv7';

/** Time-ordered ids (UUIDv7) for every entity and event. */
export const newId = (): string => uuidv7();

/** The smallest UUIDv7 of a moment: every id newId() made before it sorts below it. */
export const firstIdAt = (at: Date): string => Uuid.fromFieldsV7(Math.max(0, Math.floor(at.getTime())), 0, 0, 0).toString();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);
