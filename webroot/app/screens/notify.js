// The notification state shared by the bell and the center (docs/PROTOCOL.md section 21), and the browser
// notifications shown while the tab is hidden.
//
// - unreadCount comes from notification.count (pushed to every socket after each change) and, after each (re)connect,
//   from notification.list (events without an offset are not replayed on resume).
// - notification.new while the page is hidden: a browser notification through the service worker registration
//   (showNotification), so that a click reaches the service worker's notificationclick, which focuses this tab and
//   navigates, exactly as for a Web Push.
// - Marking read on a click: the service worker has no token. It records the id in a small cache
//   ("relais-read-pending", a Cache Storage entry both sides can reach) and posts {type: 'navigate', url,
//   notificationId} to an open tab; a tab drains that cache at once and after every connect, with
//   notification.markRead. A tab opened by the click (none was open) drains it once it is signed in and connected.
import { request, on } from '../lib/api.js';
import { createStore } from '../lib/store.js';

export const notifications = createStore({ unreadCount: 0, known: false, latest: null });

export const READ_CACHE = 'relais-read-pending';
const READ_KEY = '/read-pending';

/** The place in the client a notification leads to: a hash path for href()/navigate(). */
export function targetPath(n) {
  const t = (n && n.target) || {};
  if (t.channelId && t.seq) return `c/${t.channelId}/${t.seq}`;
  if (t.channelId) return `c/${t.channelId}`;
  if (t.eventId) return `e/${t.eventId}`;
  if (t.requestId) return `partnerships/${t.requestId}`;
  return 'notifications';
}

export async function refreshCount() {
  try {
    const r = await request('notification.list', { unreadOnly: true, limit: 1 });
    notifications.set({ unreadCount: r.unreadCount, known: true });
  } catch (e) { /* shown at the next count */ }
}

export async function markRead(ids) {
  const r = await request('notification.markRead', ids === 'all' ? { all: true } : { ids });
  notifications.set({ unreadCount: r.unreadCount, known: true });
  return r;
}

/** Marks read what a click on a notification asked for while no token was at hand (see above). */
export async function drainPendingReads() {
  if (!('caches' in self)) return;
  try {
    const cache = await caches.open(READ_CACHE);
    const hit = await cache.match(READ_KEY);
    if (!hit) return;
    const ids = (await hit.json()).filter((x) => typeof x === 'string').slice(0, 500);
    await cache.delete(READ_KEY);
    if (ids.length) await markRead(ids);
  } catch (e) { /* best effort: the person can mark it read in the center */ }
}

function canNotify() {
  return 'Notification' in self && Notification.permission === 'granted' && 'serviceWorker' in navigator;
}

async function showBrowserNotification(n) {
  if (!canNotify() || document.visibilityState !== 'hidden') return;
  try {
    const reg = await navigator.serviceWorker.getRegistration();
    if (!reg) return;
    await reg.showNotification(n.title || 'Relais', {
      body: n.body || '',
      tag: n.id,
      icon: '/favicon.svg',
      badge: '/favicon.svg',
      data: { url: '/#/' + targetPath(n), notificationId: n.id },
    });
  } catch (e) { /* the in-page bell still shows it */ }
}

let started = false;
/** Starts listening (once, when the signed-in shell first shows the bell). */
export function startNotifications() {
  if (started) return;
  started = true;
  on('ready', () => { refreshCount(); drainPendingReads(); });
  on('notification.count', (d) => notifications.set({ unreadCount: d.unreadCount, known: true }));
  on('notification.new', (d) => {
    if (!d.notification) return;
    notifications.set({ latest: d.notification });
    showBrowserNotification(d.notification);
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'navigate' && e.data.notificationId) drainPendingReads();
    });
  }
}
