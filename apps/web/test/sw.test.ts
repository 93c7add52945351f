import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi, type Mock } from 'vitest';

/*
 * The service worker's handlers (public/sw.js) run here with the worker's globals faked: the
 * browser test (e2e/push.e2e.ts) delivers a real push and reads the notification back, but no
 * protocol command clicks a notification, so what a click does is proven here.
 */

const source = readFileSync(join(import.meta.dirname, '..', 'public', 'sw.js'), 'utf8');
const ORIGIN = 'https://parley.example';

interface FakeClient {
  url: string;
  navigate: Mock<(url: string) => Promise<FakeClient>>;
  focus: Mock<() => Promise<FakeClient>>;
}

function loadWorker(options: { language?: string; windows?: FakeClient[] } = {}) {
  const listeners: Record<string, (event: unknown) => void> = {};
  const shown: Array<{ title: string; options: { body: string; tag: string; data: { url: string } } }> = [];
  const clients = {
    matchAll: vi.fn(async () => options.windows ?? []),
    openWindow: vi.fn(async (url: string) => ({ url })),
    claim: vi.fn(async () => undefined),
  };
  const self = {
    addEventListener: (type: string, listener: (event: unknown) => void) => (listeners[type] = listener),
    navigator: { language: options.language ?? 'en-US' },
    location: { origin: ORIGIN },
    registration: { showNotification: vi.fn(async (title: string, opts: (typeof shown)[number]['options']) => void shown.push({ title, options: opts })) },
    skipWaiting: vi.fn(),
    clients,
  };
  runInNewContext(source, { self, clients, URL });
  /** Dispatches an event the way the browser does and waits for what it passed to waitUntil. */
  const dispatch = async (type: string, init: object) => {
    let pending: Promise<unknown> = Promise.resolve();
    listeners[type]!({ ...init, waitUntil: (promise: Promise<unknown>) => (pending = promise) });
    await pending;
  };
  return { dispatch, shown, clients };
}

const pushOf = (data: object) => ({ data: { json: () => ({ type: 'notification', data }) } });
const windowAt = (url: string): FakeClient => {
  const client: FakeClient = { url, navigate: vi.fn(() => Promise.resolve(client)), focus: vi.fn(() => Promise.resolve(client)) };
  return client;
};

describe('the service worker', () => {
  it('shows a push as a notification: translated title, plain-text preview, the conversation to open', async () => {
    const worker = loadWorker({ language: 'ru-RU' });
    await worker.dispatch('push', pushOf({ id: 'n1', kind: 'direct_message', conversationId: 'c1', preview: '> **Привет**, глянь `код`' }));
    expect(worker.shown).toEqual([{ title: 'Новое сообщение', options: { body: 'Привет, глянь код', tag: 'c1', icon: '/favicon.svg', data: { url: '/c/c1' } } }]);

    await worker.dispatch('push', { data: { json: () => JSON.parse('not json') } });
    expect(worker.shown[1]).toMatchObject({ title: 'Parley', options: { body: '', data: { url: '/notifications' } } });
  });

  it('a click closes the notification and takes an open window of the app to the conversation, focused', async () => {
    const app = windowAt(`${ORIGIN}/`);
    const worker = loadWorker({ windows: [windowAt('https://elsewhere.example/'), app] });
    const close = vi.fn();
    await worker.dispatch('notificationclick', { notification: { close, data: { url: '/c/c1' } } });
    expect(close).toHaveBeenCalled();
    expect(app.navigate).toHaveBeenCalledWith(`${ORIGIN}/c/c1`);
    expect(app.focus).toHaveBeenCalled();
    expect(worker.clients.openWindow).not.toHaveBeenCalled();
  });

  it('with no window of the app open, a click opens one at the conversation', async () => {
    const worker = loadWorker();
    await worker.dispatch('notificationclick', { notification: { close: vi.fn(), data: { url: '/c/c2' } } });
    expect(worker.clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/c/c2`);
  });
});
