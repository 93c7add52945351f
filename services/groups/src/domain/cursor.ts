import { badRequest } from '@parley/kit';

/**
 * Opaque page cursors: base64url of a JSON array of the last item's sort key. A cursor that
 * does not decode into the expected shape was not given out by this API: 400.
 */
export const encodeCursor = (key: readonly string[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

export function decodeCursor(cursor: string, parts: number, valid: (key: string[]) => boolean): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (isStrings(key) && key.length === parts && valid(key)) return key;
  } catch {
    // fall through
  }
  throw badRequest('The cursor is not valid.', { 'querystring.cursor': ['is not a cursor this API gave out'] });
}
