// The service worker: keeps the app shell for offline starts, and shows Web Push notifications when no tab is open.
// The server fills in the version prefix and the list of shell files when it serves this file (server Assets.java).
const PREFIX = '__RELAIS_V__';
const SHELL = __RELAIS_SHELL__;
const CACHE = 'relais-' + PREFIX.split('/').pop();

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/', ...SHELL])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('relais-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (url.pathname.startsWith('/v/')) {
    // Versioned files never change: the cache first.
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
  } else if (req.mode === 'navigate') {
    // The page: the network first (a new version), the kept shell when offline.
    event.respondWith(fetch(req).catch(() => caches.match('/')));
  }
});

self.addEventListener('push', (event) => {
  let p = {};
  try { p = event.data ? event.data.json() : {}; } catch (e) { p = { title: 'Relais', body: event.data && event.data.text() }; }
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
    // A visible tab shows it live already.
    if (tabs.some((c) => c.visibilityState === 'visible' && c.focused)) return undefined;
    return self.registration.showNotification(p.title || 'Relais', {
      body: p.body || '',
      tag: p.tag || undefined,
      renotify: !!p.tag,
      icon: '/favicon.svg',
      badge: '/favicon.svg',
      data: { url: p.url || '/', notificationId: p.notificationId || null },
    });
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/', location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
    const tab = tabs.find((c) => new URL(c.url).origin === location.origin);
    if (tab) {
      tab.postMessage({ type: 'navigate', url: target });
      return tab.focus();
    }
    return self.clients.openWindow(target);
  }));
});
