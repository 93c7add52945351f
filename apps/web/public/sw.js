/* global self, clients, URL */
// Parley's service worker: shows Web Push notifications and opens the conversation on click.
// The push payload is {"type":"notification","data":{...}}, the WebSocket frame (docs/realtime.md).

const TITLES = {
  en: { mention: 'You were mentioned', direct_message: 'New message', group_added: 'Added to a group', other: 'Parley' },
  ru: { mention: 'Вас упомянули', direct_message: 'Новое сообщение', group_added: 'Вас добавили в группу', other: 'Parley' },
};

/**
 * The preview without its Markdown (the app's own renderer is not loaded here): link syntax to
 * its text, emphasis and code markers, quote and list markers dropped, one line.
 */
function plainText(markdown) {
  return markdown
    .replace(/\[([^\]\n]+)\]\([^)\s]+\)/g, '$1')
    .replace(/\*\*|~~|`+/g, '')
    .replace(/(^|[^\p{L}\p{N}*])[*_](?=\S)([^*_\n]*?\S)[*_](?![\p{L}\p{N}*])/gu, '$1$2')
    .replace(/^\s*(>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = (event.data && event.data.json().data) || {};
  } catch {
    data = {};
  }
  const language = (self.navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
  const titles = TITLES[language];
  const title = titles[data.kind] || titles.other;
  const target = data.conversationId ? `/c/${data.conversationId}` : data.groupId ? `/c/${data.groupId}` : '/notifications';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.preview === 'string' ? plainText(data.preview) : '',
      tag: data.conversationId || data.id || 'parley',
      icon: '/favicon.svg',
      data: { url: target },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.waitUntil(
    clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin && 'focus' in client) {
          return client.navigate(url).then((navigated) => (navigated || client).focus());
        }
      }
      return clients.openWindow(url);
    }),
  );
});
