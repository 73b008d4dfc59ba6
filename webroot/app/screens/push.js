// Browser notifications for this device: permission, the Push subscription (docs/PROTOCOL.md section 21, "Web Push:
// subscribing a browser") and its states. The VAPID key comes from push.vapidKey; the subscription's JSON goes to
// push.subscribe; turning off calls push.unsubscribe and unsubscribes the browser.
import { request } from '../lib/api.js';

const SUBSCRIBE_TIMEOUT_MS = 15_000;

/** base64url (no padding) → Uint8Array, for applicationServerKey. */
export function b64urlToBytes(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in self && 'Notification' in self && self.isSecureContext !== false;
}

async function registration() {
  const reg = await navigator.serviceWorker.getRegistration();
  if (reg) return reg;
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((resolve, reject) => setTimeout(() => reject(new Error('no service worker')), 10_000)),
  ]);
}

/** {state: 'unsupported' | 'denied' | 'default' | 'enabled' | 'local-only', reason?} */
export async function currentState() {
  if (!supported()) return { state: 'unsupported' };
  if (Notification.permission === 'denied') return { state: 'denied' };
  if (Notification.permission !== 'granted') return { state: 'default' };
  try {
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    return sub ? { state: 'enabled' } : { state: 'local-only', reason: '' };
  } catch (e) {
    return { state: 'local-only', reason: e.message || String(e) };
  }
}

function withTimeout(p, ms, what) {
  return Promise.race([p, new Promise((resolve, reject) => setTimeout(() => reject(new Error(what)), ms))]);
}

/** Asks for permission, subscribes the browser and tells the server. Resolves with the new state. */
export async function enable() {
  if (!supported()) return { state: 'unsupported' };
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return { state: 'denied' };
  if (permission !== 'granted') return { state: 'default' };
  try {
    const reg = await registration();
    const { publicKey } = await request('push.vapidKey', {});
    let sub = await reg.pushManager.getSubscription();
    if (!sub) {
      sub = await withTimeout(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(publicKey) }),
        SUBSCRIBE_TIMEOUT_MS, 'the push service did not answer');
    }
    const json = sub.toJSON();
    await request('push.subscribe', { endpoint: json.endpoint, keys: json.keys, expirationTime: json.expirationTime ?? null });
    return { state: 'enabled' };
  } catch (e) {
    return { state: 'local-only', reason: (e && (e.message || e.name)) || String(e) };
  }
}

/** Removes this browser's subscription, on the server first (it belongs to the person, not to the session). */
export async function disable() {
  try {
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await request('push.unsubscribe', { endpoint: sub.endpoint });
      await sub.unsubscribe();
    }
  } catch (e) { /* shown by the state below */ }
  return currentState();
}
