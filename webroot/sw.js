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
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('relais-') && k !== CACHE && k !== 'relais-read-pending').map((k) => caches.delete(k))))
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

// A Web Push (docs/PROTOCOL.md section 21, "The push request and its payload"): {title, body, url, tag,
// notificationId?, kind?, count?}. A summary (count, no notificationId) replaces the conversation's previous
// notification through its tag. A tab that is visible and focused already shows it live (bell, conversation): then
// nothing is shown, except for the high-urgency kinds, which are shown silently.
const URGENT = ['mention', 'direct', 'event.reminder'];

self.addEventListener('push', (event) => {
  let p = {};
  try { p = event.data ? event.data.json() : {}; } catch (e) { p = { title: 'Relais', body: event.data ? event.data.text() : '' }; }
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
    const watching = tabs.some((c) => c.visibilityState === 'visible' && c.focused);
    if (watching && !URGENT.includes(p.kind)) return undefined;
    return self.registration.showNotification(p.title || 'Relais', {
      body: p.body || '',
      tag: p.tag || p.notificationId || undefined,
      renotify: !!p.tag && !watching,
      silent: watching,
      icon: '/favicon.svg',
      badge: '/favicon.svg',
      timestamp: Date.now(),
      data: { url: safeUrl(p.url), notificationId: p.notificationId || null, kind: p.kind || null, count: p.count || null },
    });
  }));
});

/** Only a place of this client: a path on this origin (the payload's url is "/#/c/<id>/<seq>" and the like). */
function safeUrl(url) {
  try {
    const u = new URL(url || '/', self.location.origin);
    return u.origin === self.location.origin ? u.pathname + u.search + u.hash : '/';
  } catch (e) {
    return '/';
  }
}

// Marking read on a click: the worker has no token, so it keeps the id in a small cache that the page drains with
// notification.markRead (app/screens/notify.js) — at once when a tab is open, after sign-in otherwise.
const READ_CACHE = 'relais-read-pending';
const READ_KEY = '/read-pending';

async function rememberRead(id) {
  if (!id) return;
  try {
    const cache = await caches.open(READ_CACHE);
    const hit = await cache.match(READ_KEY);
    const ids = hit ? await hit.json() : [];
    if (!ids.includes(id)) ids.push(id);
    await cache.put(READ_KEY, new Response(JSON.stringify(ids.slice(-500)), { headers: { 'Content-Type': 'application/json' } }));
  } catch (e) { /* the person can mark it read in the center */ }
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const target = new URL(safeUrl(data.url), self.location.origin).href;
  event.waitUntil(rememberRead(data.notificationId).then(() => self.clients.matchAll({ type: 'window', includeUncontrolled: true })).then((tabs) => {
    const tab = tabs.find((c) => c.focused) || tabs.find((c) => new URL(c.url).origin === self.location.origin);
    if (tab) {
      tab.postMessage({ type: 'navigate', url: target, notificationId: data.notificationId || null });
      return tab.focus();
    }
    return self.clients.openWindow(target);
  }));
});
