import { expect } from 'vitest';
import type { ApiResponse } from './http-client.ts';

/** Asserts a problem+json answer: the status, the standard members, no errorId (never a 500), and an entry in `errors` for each named field. */
export function expectProblem(res: ApiResponse, status: number, fields: string[] = []): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(res.body.errorId).toBeUndefined();
  for (const field of fields) {
    expect(res.body.errors?.[field], `errors["${field}"] in ${JSON.stringify(res.body)}`).toEqual(expect.arrayContaining([expect.any(String)]));
  }
}

/** A 400 whose `errors` name exactly these fields. */
export function expectFieldErrors(res: ApiResponse, fields: string[]): void {
  expectProblem(res, 400, fields);
  expect(Object.keys(res.body.errors ?? {}).sort()).toEqual([...fields].sort());
}
