import { describe, expect, it } from 'vitest';
import { idBeside, isUuid, newId } from '../src/ids.ts';

describe('idBeside', () => {
  it('sorts with its base id, is the same for the same pair, and differs per salt', () => {
    const bases = Array.from({ length: 200 }, () => newId());
    const derived = bases.map((base, i) => idBeside(base, `user-${i % 3}`));
    expect(derived.every(isUuid)).toBe(true);
    expect([...derived].sort()).toEqual(derived);
    expect(idBeside(bases[0]!, 'user-0')).toBe(derived[0]);
    expect(idBeside(bases[0]!, 'user-1')).not.toBe(derived[0]);
  });
});
