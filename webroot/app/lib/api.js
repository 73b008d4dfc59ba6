// The one WebSocket to the server (docs/PROTOCOL.md sections 3, 4 and 20).
//
// - request(op, data) sends a request and resolves with the reply's data, or rejects with an ApiError.
// - Requests made while offline wait for the connection (up to waitMs). Requests marked {retry: true} — idempotent
//   ones, such as message.send with its clientMsgId — are kept while the connection is down and sent again, with
//   the same frame, until the server answers: no loss, and the server's clientMsgId check prevents duplicates.
// - Reconnects with exponential backoff and full jitter (0.5 s to 30 s), or after the retryAfterMs of a refused hello
//   (a busy node, docs/PROTOCOL.md section 4) if that is longer, at once when the browser says it is back
//   online, and resumes: hello carries the epoch and, per channel, the offset of the last event processed, so the
//   server replays exactly what was missed (or says resync). Channel events already processed are dropped here, so
//   the rest of the client sees each event once, in order.
// - The token is renewed on the open socket (a second hello) before it expires.
// - A silent link (common on mobile networks: no close, no data) is noticed by a ping op after 30 s of silence.
import { accessToken, forget, ApiError } from './auth.js';
import { createStore } from './store.js';

const CLIENT = 'relais-web/1';

/** {status: 'connecting' | 'online' | 'offline', since, attempt, lastError} */
export const connection = createStore({ status: 'connecting', since: Date.now(), attempt: 0 });

const handlers = new Map(); // event name -> Set(fn); '*' receives every event
let ws = null;
let nextId = 1;
let pending = new Map(); // id -> {frame, resolve, reject, retry, timer}
let outbox = []; // frames waiting for a connection: {id, op, data, resolve, reject, retry, deadline}
let ready = false;
let attempt = 0;
let reconnectTimer = null;
let retryAfterMs = 0; // asked by the server's last refusal of a hello; the next reconnect waits at least that long
let refusedUntil = 0; // until when that refusal holds: reconnectNow (online, visible, "retry now") waits for it too
let stopped = true;
let pingTimer = null;
let renewTimer = null;
let lastFrameAt = 0;
let helloChannels = {};
// What the socket has processed, kept for the page's lifetime (a reloaded page reads the current state instead).
let resume = null; // {userId, epoch, channels: {id: offset}}
let me = null; // the hello reply


/** Subscribes to an event ('*' for all); returns the unsubscribe function. */
export function on(ev, fn) {
  if (!handlers.has(ev)) handlers.set(ev, new Set());
  handlers.get(ev).add(fn);
  return () => handlers.get(ev).delete(fn);
}

function emit(ev, data) {
  for (const key of [ev, '*']) {
    for (const fn of [...(handlers.get(key) || [])]) {
      try { fn(data, ev); } catch (e) { console.error('handler of', ev, e); }
    }
  }
}

/** The last hello reply: {user, org, epoch, channels, connectionId, ...}. */
export function session() { return me; }

/** The offset of the last event processed in a channel. */
export function channelOffset(channelId) { return resume?.channels?.[channelId]; }

export function request(op, data = {}, { retry = false, waitMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const item = { id: String(nextId++), op, data, resolve, reject, retry, deadline: Date.now() + waitMs };
    if (ready) send(item);
    else outbox.push(item);
  });
}

function send(item) {
  const frame = JSON.stringify({ id: item.id, op: item.op, data: item.data });
  pending.set(item.id, item);
  try {
    ws.send(frame);
  } catch (e) {
    pending.delete(item.id);
    outbox.push(item);
  }
}

function settle(reply) {
  const item = pending.get(reply.re);
  if (!item) return;
  pending.delete(reply.re);
  if (reply.ok) item.resolve(reply.data);
  else {
    const err = reply.error || {};
    if (item.retry && (err.code === 'unavailable' || err.code === 'timeout')) {
      // The server could not reach its database: the same frame is sent again after a pause.
      item.deadline = Math.max(item.deadline, Date.now() + 60_000);
      setTimeout(() => (ready ? send(item) : outbox.push(item)), 1000 + Math.random() * 2000);
      return;
    }
    item.reject(new ApiError(err.code || 'error', err.message, err));
  }
}

export function start() {
  if (!stopped) return;
  stopped = false;
  connect();
}

/** Closes the socket and fails what is waiting (on sign-out). */
export function stop() {
  stopped = true;
  clearTimeout(reconnectTimer);
  clearTimeout(renewTimer);
  clearInterval(pingTimer);
  ready = false;
  if (ws) { try { ws.close(1000, 'bye'); } catch (e) { /* closed */ } }
  ws = null;
  const failed = [...pending.values(), ...outbox];
  pending = new Map();
  outbox = [];
  for (const item of failed) item.reject(new ApiError('unauthenticated', 'Signed out'));
  resume = null;
  me = null;
  connection.set({ status: 'offline', since: Date.now() });
}

function url() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

async function connect() {
  if (stopped) return;
  connection.set({ status: 'connecting', attempt });
  let token;
  try {
    token = await accessToken();
  } catch (e) {
    if (e.code === 'unauthenticated' || e.code === 'forbidden') { forget(); return; }
    scheduleReconnect(e);
    return;
  }
  if (stopped) return;
  const socket = new WebSocket(url());
  ws = socket;
  lastFrameAt = Date.now();
  socket.onopen = () => {
    const data = { token, client: CLIENT };
    const user = token && JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
    if (resume && resume.userId === user && resume.epoch) {
      data.resume = { epoch: resume.epoch, channels: resume.channels || {} };
    } else {
      resume = null;
    }
    const item = { id: String(nextId++), op: 'hello', data, retry: false };
    item.resolve = (reply) => onHello(socket, reply, user);
    item.reject = (e) => {
      // unavailable / rate_limited: the server says when to come back (a node busy with a reconnect storm)
      if (typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0) retryAfterMs = e.retryAfterMs;
      connection.set({ lastError: e.code });
      try { socket.close(); } catch (x) { /* closed */ }
    };
    pending.set(item.id, item);
    socket.send(JSON.stringify({ id: item.id, op: 'hello', data }));
  };
  socket.onmessage = (m) => {
    if (socket !== ws) return;
    lastFrameAt = Date.now();
    let frame;
    try { frame = JSON.parse(m.data); } catch (e) { return; }
    if ('re' in frame) settle(frame);
    else if (frame.ev) onEvent(frame.ev, frame.data || {});
  };
  socket.onclose = (e) => {
    if (socket !== ws) return;
    onClosed(e.code, e.reason);
  };
}

function onHello(socket, reply, userId) {
  if (socket !== ws) return;
  me = reply;
  helloChannels = reply.channels || {};
  const resumed = !!resume && resume.epoch === reply.epoch;
  if (!resume) resume = { userId, epoch: reply.epoch, channels: {} };
  for (const [c, offset] of Object.entries(helloChannels)) {
    if (!(c in resume.channels)) resume.channels[c] = offset;
  }
  ready = true;
  attempt = 0;
  connection.set({ status: 'online', since: Date.now(), attempt: 0, lastError: null });
  scheduleRenew(reply.expiresAt);
  clearInterval(pingTimer);
  pingTimer = setInterval(checkAlive, 10_000);
  emit('ready', { ...reply, resumed });
  const queued = outbox;
  outbox = [];
  for (const item of queued) {
    if (item.deadline < Date.now() && !item.retry) item.reject(new ApiError('offline', 'No connection'));
    else send(item);
  }
}

function onEvent(ev, data) {
  if (ev === 'resync') {
    if (data.reason === 'epoch') {
      resume = { userId: resume?.userId, epoch: data.epoch, channels: { ...helloChannels } };
    } else if (data.reason === 'removed') {
      delete resume.channels[data.channelId];
    } else if (typeof data.offset === 'number') {
      resume.channels[data.channelId] = data.offset;
    }
    emit(ev, data);
    return;
  }
  if (data.channelId && typeof data.offset === 'number' && resume) {
    const last = resume.channels[data.channelId];
    if (typeof last === 'number' && data.offset <= last) return; // already processed
    resume.channels[data.channelId] = data.offset;
  }
  emit(ev, data);
}

function onClosed(code, reason) {
  ready = false;
  ws = null;
  clearInterval(pingTimer);
  clearTimeout(renewTimer);
  // Requests on the dead socket: idempotent ones go back to the outbox, the others fail.
  for (const item of pending.values()) {
    if (item.retry) outbox.push(item);
    else if (item.op !== 'hello') item.reject(new ApiError('disconnected', 'The connection was lost'));
  }
  pending = new Map();
  connection.set({ status: 'offline', since: Date.now(), lastError: code });
  emit('disconnected', { code, reason });
  if (stopped) return;
  if (code === 4010) { // session revoked (signed out elsewhere, disabled)
    forget();
    return;
  }
  scheduleReconnect();
}

function scheduleReconnect() {
  if (stopped) return;
  clearTimeout(reconnectTimer);
  const cap = Math.min(30_000, 500 * 2 ** attempt);
  attempt = Math.min(attempt + 1, 10);
  let delay = navigator.onLine === false ? 30_000 : Math.round(cap / 2 + Math.random() * cap / 2);
  // A refusal's retryAfterMs (already spread by the server) is honoured, plus up to a quarter more at random.
  if (retryAfterMs > 0) {
    delay = Math.max(delay, Math.round(retryAfterMs * (1 + Math.random() / 4)));
    refusedUntil = Date.now() + delay;
  }
  retryAfterMs = 0;
  connection.set({ status: 'offline', attempt, retryAt: Date.now() + delay });
  reconnectTimer = setTimeout(connect, delay);
}

/**
 * Reconnects now (the "retry now" button, or the browser coming back online or visible) — but never before the
 * retryAfterMs of the server's last refusal has passed (PROTOCOL.md section 4): the scheduled retry stands.
 */
export function reconnectNow() {
  if (stopped || ready || (ws && ws.readyState === WebSocket.CONNECTING)) return;
  if (Date.now() < refusedUntil) return;
  clearTimeout(reconnectTimer);
  connect();
}

addEventListener('online', reconnectNow);
// The browser says the network is gone: the socket is dead now, whether or not its close can still be completed
// (an emulated or half-open link may never deliver the close), so requests go back to the outbox at once and the
// 'online' event reconnects without waiting for that close.
addEventListener('offline', () => {
  const socket = ws;
  if (!socket) return;
  try { socket.close(); } catch (e) { /* closed */ }
  if (socket === ws) onClosed(1006, 'offline');
});
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') reconnectNow(); });

function checkAlive() {
  if (!ready || !ws) return;
  const expired = outbox.filter((item) => !item.retry && item.deadline < Date.now());
  outbox = outbox.filter((item) => !expired.includes(item));
  for (const item of expired) item.reject(new ApiError('offline', 'No connection'));
  if (Date.now() - lastFrameAt < 30_000) return;
  const socket = ws;
  const probe = request('ping', {}, { waitMs: 10_000 });
  const timer = setTimeout(() => { if (socket === ws) socket.close(); }, 10_000);
  probe.then(() => clearTimeout(timer), () => clearTimeout(timer));
}

function scheduleRenew(expiresAt) {
  clearTimeout(renewTimer);
  const at = Date.parse(expiresAt) - Date.now() - 90_000;
  renewTimer = setTimeout(async () => {
    try {
      const token = await accessToken();
      const reply = await request('hello', { token, client: CLIENT });
      me = { ...me, ...reply };
      scheduleRenew(reply.expiresAt);
    } catch (e) {
      if (ws) ws.close();
    }
  }, Math.max(5_000, at));
}

/** A client message id: unique per browser and send, kept with the message until the server acknowledges it. */
export function newClientMsgId() {
  const rnd = crypto.getRandomValues(new Uint8Array(9));
  return 'web-' + Array.from(rnd, (b) => b.toString(16).padStart(2, '0')).join('');
}
