// Sign-in over HTTP (docs/PROTOCOL.md section 6) and the tokens of this browser.
//
// On a shared laptop, closing the browser should sign out: by default the session lives in sessionStorage (this tab
// only). "Keep me signed in on this device" keeps it in localStorage instead. The access token is kept next to the
// refresh token so that several tabs of a remembered session share one refresh, made under a Web Lock: a refresh
// token is single use, and a second tab presenting a spent one would end the session.
import { createStore } from './store.js';

const KEY = 'relais.session';
const SKEW_MS = 60_000;

export class ApiError extends Error {
  constructor(code, message, extra = {}) {
    super(message || code);
    this.code = code;
    Object.assign(this, extra);
  }
}

function read(storage) {
  try { return JSON.parse(storage.getItem(KEY) || 'null'); } catch (e) { return null; }
}
function load() {
  const s = read(sessionStorage);
  if (s) return { ...s, remember: false };
  const l = read(localStorage);
  return l ? { ...l, remember: true } : null;
}
function save(session) {
  try {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
    if (session) (session.remember ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(session));
  } catch (e) { /* storage blocked: the session lives in memory only */ }
}

/** {session: {accessToken, expiresAt, refreshToken, user, remember} | null} */
export const auth = createStore({ session: load() });

addEventListener('storage', (e) => {
  if (e.key === KEY && auth.get().session?.remember) auth.set({ session: load() });
});

export async function postJson(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError('offline', 'The server cannot be reached');
  }
  let json = null;
  try { json = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok || (json && json.ok === false)) {
    const err = (json && json.error) || { code: res.status >= 500 ? 'unavailable' : 'bad_request', message: res.statusText };
    throw new ApiError(err.code, err.message, err);
  }
  return json;
}

function adopt(reply, remember) {
  const session = {
    accessToken: reply.accessToken,
    expiresAt: Date.now() + reply.expiresIn * 1000,
    refreshToken: reply.refreshToken,
    user: reply.user,
    remember,
  };
  save(session);
  auth.set({ session });
  return session;
}

export async function login(email, password, remember = false) {
  return adopt(await postJson('/api/auth/login', { email, password }), remember);
}

export async function acceptInvite(token, password, remember = false) {
  return adopt(await postJson('/api/auth/accept-invite', { token, password }), remember);
}

/** Signs out: the server revokes the session (and closes its sockets); this browser forgets it at once. */
export async function logout() {
  const s = auth.get().session;
  save(null);
  auth.set({ session: null });
  if (s) {
    try { await postJson('/api/auth/logout', { refreshToken: s.refreshToken }); } catch (e) { /* forgotten anyway */ }
  }
}

/** Forgets the session without calling the server (it was revoked there). */
export function forget() {
  save(null);
  auth.set({ session: null });
}

let refreshing = null;

async function refreshNow() {
  const before = auth.get().session;
  if (!before) throw new ApiError('unauthenticated', 'Signed out');
  const run = async () => {
    // Another tab may have refreshed while this one waited for the lock: take its tokens.
    const current = before.remember ? read(localStorage) : before;
    if (current && current.refreshToken !== before.refreshToken && current.expiresAt - Date.now() > SKEW_MS) {
      const session = { ...current, remember: before.remember };
      auth.set({ session });
      return session;
    }
    try {
      return adopt(await postJson('/api/auth/refresh', { refreshToken: (current || before).refreshToken }), before.remember);
    } catch (e) {
      if (e.code === 'unauthenticated' || e.code === 'forbidden') forget();
      throw e;
    }
  };
  return navigator.locks ? navigator.locks.request('relais.refresh', run) : run();
}

/** A valid access token, refreshed first if it expires within a minute. */
export async function accessToken() {
  const s = auth.get().session;
  if (!s) throw new ApiError('unauthenticated', 'Signed out');
  if (s.expiresAt - Date.now() > SKEW_MS) return s.accessToken;
  if (!refreshing) refreshing = refreshNow().finally(() => { refreshing = null; });
  return (await refreshing).accessToken;
}

/** Ops over HTTP (used before the socket is up, or for one-off reads); the socket is preferred. */
export async function httpOp(op, data = {}) {
  const token = await accessToken();
  let res;
  try {
    res = await fetch(`/api/ops/${encodeURIComponent(op)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(data),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError('offline', 'The server cannot be reached');
  }
  const json = await res.json().catch(() => null);
  if (!json || json.ok === false) {
    const err = (json && json.error) || { code: 'unavailable', message: res.statusText };
    throw new ApiError(err.code, err.message, err);
  }
  return json.data;
}
