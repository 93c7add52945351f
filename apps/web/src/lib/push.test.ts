import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '../../test/fake-api';
import { subscribeToPush, unsubscribeFromPush } from './push';

/*
 * The opt-in against the browser's push APIs faked at their boundary (no push service is reachable
 * on our machines; the service worker's side is in test/sw.test.ts and e2e/push.e2e.ts): what the
 * app asks of the browser and what it sends to the API.
 */
const VAPID = 'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U';

class FakeSubscription {
  unsubscribed = false;
  constructor(readonly endpoint: string) {}
  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { auth: 'auth-secret', p256dh: 'p256dh-key' } };
  }
  async unsubscribe() {
    this.unsubscribed = true;
    return true;
  }
}

describe('Web Push opt-in', () => {
  let api: FakeApi;
  let permission: NotificationPermission;
  let current: FakeSubscription | null;
  const subscribe = vi.fn(async (options: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => {
    void options;
    current = new FakeSubscription('https://push.example.test/send/abc');
    return current;
  });
  const registration = { pushManager: { getSubscription: async () => current, subscribe } };
  const register = vi.fn(async () => registration);

  beforeEach(() => {
    api = new FakeApi()
      .on('GET', /^\/api\/v1\/push\/vapid-public-key$/, () => ({ status: 200, body: { publicKey: VAPID } }))
      .on('POST', /^\/api\/v1\/push\/subscriptions$/, () => ({ status: 201, body: {} }))
      .on('DELETE', /^\/api\/v1\/push\/subscriptions$/, () => ({ status: 204 }));
    permission = 'granted';
    current = null;
    subscribe.mockClear();
    register.mockClear();
    vi.stubGlobal('fetch', api.fetch);
    vi.stubGlobal('Notification', { requestPermission: async () => permission });
    vi.stubGlobal('PushManager', class {});
    vi.stubGlobal('navigator', { ...navigator, serviceWorker: { register, ready: Promise.resolve(registration), getRegistration: async () => registration } });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('registers /sw.js, subscribes with the platform VAPID key and sends the subscription to the API', async () => {
    await subscribeToPush();
    expect(register).toHaveBeenCalledWith('/sw.js', { scope: '/' });
    const options = subscribe.mock.calls[0]![0];
    expect(options.userVisibleOnly).toBe(true);
    // The base64url key decoded to its 65 raw bytes (an uncompressed P-256 point starts with 4).
    expect(options.applicationServerKey).toHaveLength(65);
    expect(options.applicationServerKey[0]).toBe(4);
    expect(api.callsTo('POST', /\/push\/subscriptions$/).map((call) => call.body)).toEqual([
      { endpoint: 'https://push.example.test/send/abc', expirationTime: null, keys: { auth: 'auth-secret', p256dh: 'p256dh-key' } },
    ]);
  });

  it('reuses an existing subscription instead of making a second one', async () => {
    current = new FakeSubscription('https://push.example.test/send/existing');
    await subscribeToPush();
    expect(subscribe).not.toHaveBeenCalled();
    expect(api.callsTo('POST', /\/push\/subscriptions$/)[0]!.body).toMatchObject({ endpoint: 'https://push.example.test/send/existing' });
  });

  it('asks nothing of the API and subscribes nothing when the user refuses the permission', async () => {
    permission = 'denied';
    await expect(subscribeToPush()).rejects.toThrow('permission');
    expect(subscribe).not.toHaveBeenCalled();
    expect(api.calls).toEqual([]);
  });

  it('opting out removes the subscription at the API, then in the browser', async () => {
    current = new FakeSubscription('https://push.example.test/send/abc');
    const subscription = current;
    await unsubscribeFromPush();
    expect(api.callsTo('DELETE', /\/push\/subscriptions$/).map((call) => call.body)).toEqual([{ endpoint: 'https://push.example.test/send/abc' }]);
    expect(subscription.unsubscribed).toBe(true);
  });
});
