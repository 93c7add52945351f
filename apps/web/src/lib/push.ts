import { api, ok } from '../api/client';

/*
 * Web Push opt-in (docs/realtime.md, "Web Push"): the service worker at /sw.js shows pushes and
 * opens the conversation on click; the subscription is sent to the notifications service.
 */

export const pushSupported = (): boolean => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function currentPushSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) ?? null;
}

export async function subscribeToPush(): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('permission');
  const { publicKey } = await ok(api.GET('/api/v1/push/vapid-public-key'));
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  const { endpoint, expirationTime, keys } = subscription.toJSON();
  if (!endpoint || !keys?.auth || !keys.p256dh) throw new Error('incomplete subscription');
  await ok(api.POST('/api/v1/push/subscriptions', { body: { endpoint, expirationTime, keys: { auth: keys.auth, p256dh: keys.p256dh } } }));
}

export async function unsubscribeFromPush(): Promise<void> {
  const subscription = await currentPushSubscription();
  if (!subscription) return;
  await ok(api.DELETE('/api/v1/push/subscriptions', { body: { endpoint: subscription.endpoint } }));
  await subscription.unsubscribe();
}
