import { describe, expect, it } from 'vitest';
import { parseMentionNames } from './mentions.ts';

describe('parseMentionNames', () => {
  it.each([
    ['no mention here', []],
    ['hi @alice', ['alice']],
    ['@Alice and @BOB_2, again @alice', ['alice', 'bob_2']],
    ['thanks @alice.', ['alice.', 'alice']],
    ['@john.doe said', ['john.doe']],
    ['write to bob@example.com', []],
    ['@ab is too short, @abc is not', ['abc']],
    ['(@carol) and "@dave"', ['carol', 'dave']],
    ['@@eve', []],
    ['привет @иван and @ivan', ['ivan']],
  ])('%j → %j', (body, names) => {
    expect(parseMentionNames(body)).toEqual(names);
  });

  it('reads a name of at most 32 characters', () => {
    expect(parseMentionNames(`@${'a'.repeat(40)}`)).toEqual(['a'.repeat(32)]);
  });
});
