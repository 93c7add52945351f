import { z } from 'zod';

/**
 * The one rule for text input: PostgreSQL refuses NUL in text columns ("invalid byte sequence
 * for encoding UTF8: 0x00") and unpaired UTF-16 surrogates in jsonb (the outbox), so a string
 * carrying either would turn into a 500 deep inside a service. Every request's body, query
 * string and path parameters are checked against it before their zod schema runs (see
 * `storableInput`, applied by the HTTP server's validator to every route), and `storableText()`
 * states it in the schemas of free-text fields.
 */
export const UNSTORABLE_TEXT = 'must not contain NUL characters or unpaired surrogates';

// Invalid UTF-8 bytes in a body are decoded to U+FFFD, which is storable; what remains is NUL
// (also written \u0000 in JSON) and lone surrogates (only from \uD800-style JSON escapes).
const UNSTORABLE = /[\0\p{Cs}]/u;

export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

/** A string schema with the storable-text rule: the base of every free-text field. */
export const storableText = () => z.string().refine(isStorableText, UNSTORABLE_TEXT);

/** Depth past which input is not walked: parsed JSON that deep is refused by the schemas anyway. */
const MAX_DEPTH = 64;

/** Adds an issue for every string (value or object key) in `input` that breaks the rule. */
function collectUnstorable(input: unknown, path: PropertyKey[], issues: PropertyKey[][], depth: number): void {
  if (issues.length >= 20) return;
  if (typeof input === 'string') {
    if (!isStorableText(input)) issues.push(path);
    return;
  }
  if (typeof input !== 'object' || input === null || depth > MAX_DEPTH || Buffer.isBuffer(input)) return;
  if (Array.isArray(input)) {
    input.forEach((item, index) => collectUnstorable(item, [...path, index], issues, depth + 1));
    return;
  }
  for (const [key, value] of Object.entries(input)) {
    if (!isStorableText(key)) issues.push([...path, key.replace(UNSTORABLE, '?')]);
    collectUnstorable(value, [...path, key], issues, depth + 1);
  }
}

/**
 * `schema`, preceded by the storable-text rule over the whole input: any NUL or lone surrogate
 * anywhere (whatever the field's own schema says, plain `z.string()` included) is a 400 naming
 * the field, and the schema itself does not run.
 */
export function storableInput(schema: z.ZodType): z.ZodType {
  return z
    .unknown()
    .superRefine((input, ctx) => {
      const found: PropertyKey[][] = [];
      collectUnstorable(input, [], found, 0);
      for (const path of found) ctx.addIssue({ code: 'custom', message: UNSTORABLE_TEXT, path });
    })
    .pipe(schema);
}
