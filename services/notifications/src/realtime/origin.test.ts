import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.ts';

describe('isOriginAllowed', () => {
  const listed = ['https://chat.example.com'];

  it('lets clients without an Origin in (they are not browsers)', () => {
    expect(isOriginAllowed(undefined, 'chat.example.com', listed)).toBe(true);
  });

  it("allows listed origins, any origin with *, and pages of the socket's own host", () => {
    expect(isOriginAllowed('https://chat.example.com', 'internal:4004', listed)).toBe(true);
    expect(isOriginAllowed('https://anything.example', 'internal:4004', ['*'])).toBe(true);
    expect(isOriginAllowed('http://localhost:4004', 'localhost:4004', listed)).toBe(true);
  });

  it('refuses other origins, look-alikes and garbage', () => {
    expect(isOriginAllowed('https://evil.example', 'chat.example.com', listed)).toBe(false);
    expect(isOriginAllowed('https://chat.example.com.evil.example', 'internal:4004', listed)).toBe(false);
    expect(isOriginAllowed('http://chat.example.com', 'internal:4004', listed)).toBe(false);
    expect(isOriginAllowed('null', 'chat.example.com', listed)).toBe(false);
    expect(isOriginAllowed('not a url', 'chat.example.com', listed)).toBe(false);
  });
});
