import { adapterKinds } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFor, registerUser, startAccounts, type AccountsHarness } from './harness.ts';

describe.each(adapterKinds())('accounts smoke (%s)', (kind) => {
  let h: AccountsHarness;
  beforeAll(async () => {
    h = await startAccounts(kind);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('registers, reads the profile, logs out', async () => {
    const api = apiFor(h.baseUrl);
    const alice = await registerUser(api);
    const me = await api('GET', '/api/v1/users/me', { token: alice.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(alice.input.username);
    expect((await api('POST', '/api/v1/auth/logout', { token: alice.accessToken })).status).toBe(204);
    expect((await api('GET', '/api/v1/users/me', { token: alice.accessToken })).status).toBe(401);
  });
});
