// The chat state of this tab: the user's channels with their read state, the messages loaded per channel and per
// thread, the messages being sent, who is typing, presence, and the people met so far. Kept current by the
// server's events (docs/PROTOCOL.md sections 16–20), which lib/api.js delivers once each and in order per channel.
//
// - Messages are kept by id and sorted by seq: a message is shown once, whatever mix of history pages and events
//   brought it. A live message that leaves a gap after the newest one loaded makes the missing ones be fetched.
// - A message being sent is shown at once as pending; it is sent with its clientMsgId and {retry: true}, so it
//   survives a lost connection (the same frame is sent again: the server never stores it twice), and it is also
//   kept in the browser's storage until the server has it, so that a reload sends it again with the same id.
// - After a reconnect that could not resume, or a resync, what is shown is read again.
import { createStore } from '../lib/store.js';
import * as api from '../lib/api.js';
import { auth } from '../lib/auth.js';

const initial = () => ({
  channels: {}, // id -> channel, as channel.list gives it, kept current
  listLoaded: false,
  known: {}, // id -> channel seen elsewhere (browse), for channels the user is not in
  timelines: {}, // channelId -> {messages: [...by seq], hasBefore, hasAfter, loading}
  threads: {}, // rootId -> {channelId, root, replies: [...by seq], hasAfter}
  pending: {}, // channelId -> [{clientMsgId, channelId, text, threadRootId, at, failed, error}]
  typing: {}, // channelId -> {userId: {until, threadRootId}}
  presence: {}, // userId -> 'online' | 'away' | 'dnd' | 'offline'
  users: {}, // userId -> user
  members: {}, // channelId -> [userId]
  viewing: null, // the channel on screen
  gen: 0, // bumped when what is shown must be read again
});

export const chat = createStore(initial());

export const myId = () => auth.get().session?.user?.id || api.session()?.user?.id || null;

const BY_KIND = { network: 0, organisation: 1, regional: 2, thematic: 3, partnership: 4, direct: 5 };

function sortBySeq(list) { return list.sort((a, b) => a.seq - b.seq); }

/** Merges messages into a list: each id once (then each seq once), sorted by seq. */
export function mergeMessages(list, incoming, { prefer = 'incoming' } = {}) {
  const byId = new Map((list || []).map((m) => [m.id, m]));
  for (const m of incoming) {
    const old = byId.get(m.id);
    if (!old) byId.set(m.id, m);
    else if (prefer === 'incoming' && !(old.deleted && !m.deleted) && !((old.editedAt || '') > (m.editedAt || ''))) byId.set(m.id, { ...old, ...m });
  }
  const bySeq = new Map();
  for (const m of byId.values()) bySeq.set(m.seq, m);
  return sortBySeq([...bySeq.values()]);
}

function setTimeline(channelId, fn) {
  chat.set((s) => ({ timelines: { ...s.timelines, [channelId]: fn(s.timelines[channelId] || { messages: [], hasBefore: false, hasAfter: false, loaded: false }) } }));
}

function patchChannel(channelId, fn) {
  chat.set((s) => (s.channels[channelId] ? { channels: { ...s.channels, [channelId]: { ...s.channels[channelId], ...fn(s.channels[channelId]) } } } : null));
}

/** Applies fn to a message wherever it is shown: the channel's timeline, a thread's root or replies. */
function patchMessage(channelId, messageId, fn) {
  chat.set((s) => {
    const out = {};
    const tl = s.timelines[channelId];
    if (tl && tl.messages.some((m) => m.id === messageId)) {
      out.timelines = { ...s.timelines, [channelId]: { ...tl, messages: tl.messages.map((m) => (m.id === messageId ? fn(m) : m)) } };
    }
    let threads = null;
    for (const [rootId, th] of Object.entries(s.threads)) {
      if (th.channelId !== channelId) continue;
      if (th.root && th.root.id === messageId) (threads ||= { ...s.threads })[rootId] = { ...th, root: fn(th.root) };
      else if (th.replies.some((m) => m.id === messageId)) {
        (threads ||= { ...s.threads })[rootId] = { ...th, replies: th.replies.map((m) => (m.id === messageId ? fn(m) : m)) };
      }
    }
    if (threads) out.threads = threads;
    return out;
  });
}

// ---- People and presence -----------------------------------------------------------------------------------

const asking = new Set();

/** Remembers people read elsewhere (search results). */
export function rememberUsers(users) {
  if (!users || !users.length) return;
  chat.set((s) => {
    const next = { ...s.users };
    for (const u of users) next[u.id] = u;
    return { users: next };
  });
}

/** Reads the people not known yet (one user.get each, once). */
export function ensureUsers(ids) {
  const s = chat.get();
  for (const id of ids) {
    if (!id || s.users[id] || asking.has(id)) continue;
    asking.add(id);
    api.request('user.get', { userId: id }).then(
      (r) => { asking.delete(id); rememberUsers([r.user]); },
      () => { asking.delete(id); },
    );
  }
}

export function userName(id, users = chat.get().users) {
  const u = users[id];
  return u ? u.displayName : '…';
}

const watched = new Set();

/** Reads the presence of these people (once; presence.changed keeps it current). */
export function watchPresence(ids, { refresh = false } = {}) {
  const s = chat.get();
  const ask = [...new Set(ids)].filter((id) => id && (refresh || !(id in s.presence) || !watched.has(id)));
  for (const id of ids) watched.add(id);
  for (let i = 0; i < ask.length; i += 200) {
    api.request('presence.get', { userIds: ask.slice(i, i + 200) }).then((r) => {
      chat.set((st) => {
        const p = { ...st.presence };
        for (const v of r.presence) p[v.userId] = v.status;
        return { presence: p };
      });
    }, () => {});
  }
}

// ---- Channels ------------------------------------------------------------------------------------------------

let listing = null;
let listAgain = false;

/** Reads the user's channels (channel.list); calls made while one is under way are folded into one more. */
export function loadChannels() {
  if (listing) { listAgain = true; return listing; }
  listing = api.request('channel.list', {}).then((r) => {
    const channels = {};
    for (const c of r.channels) channels[c.id] = c;
    chat.set({ channels, listLoaded: true });
    const people = new Set();
    for (const c of r.channels) for (const id of c.memberIds || []) people.add(id);
    ensureUsers([...people]);
    watchPresence([...people].filter((id) => id !== myId()));
  }).catch(() => {}).finally(() => {
    listing = null;
    if (listAgain) { listAgain = false; loadChannels(); }
  });
  return listing;
}

/** Channels sorted for the sidebar: kinds in a fixed order, then by name; direct conversations by last activity. */
export function sortedChannels(channels) {
  const list = Object.values(channels);
  const rooms = list.filter((c) => c.kind !== 'direct').sort((a, b) => (a.archived - b.archived)
    || (BY_KIND[a.kind] - BY_KIND[b.kind]) || a.name.localeCompare(b.name));
  const direct = list.filter((c) => c.kind === 'direct').sort((a, b) => String(b.lastMessageAt || b.createdAt).localeCompare(String(a.lastMessageAt || a.createdAt)));
  return { rooms, direct };
}

/** The others in a direct conversation. */
export function otherMembers(c) {
  const me = myId();
  return (c.memberIds || []).filter((id) => id !== me);
}

export function rememberChannels(list) {
  chat.set((s) => {
    const known = { ...s.known };
    for (const c of list) known[c.id] = c;
    return { known };
  });
}

/** A channel the user is in, or one seen while browsing. */
export function channelOf(id, s = chat.get()) { return s.channels[id] || s.known[id] || null; }

export function setViewing(channelId) {
  chat.set({ viewing: channelId });
  if (channelId) markRead(channelId);
}

const reading = new Map(); // channelId -> timer

/** Moves the read marker to the channel's last message (when it is on screen and the tab is visible). */
export function markRead(channelId) {
  const c = chat.get().channels[channelId];
  if (!c || document.visibilityState !== 'visible') return;
  if (!(c.unreadCount > 0 || c.mentionCount > 0 || (c.lastReadSeq || 0) < (c.seq || 0))) return;
  patchChannel(channelId, () => ({ unreadCount: 0, mentionCount: 0, lastReadSeq: c.seq }));
  clearTimeout(reading.get(channelId));
  reading.set(channelId, setTimeout(() => {
    reading.delete(channelId);
    const now = chat.get().channels[channelId];
    if (!now) return;
    api.request('channel.markRead', { channelId, seq: now.seq || 0 }).then(applyRead, () => {});
  }, 300));
}

function applyRead(d) {
  patchChannel(d.channelId, (c) => (d.lastReadSeq >= (c.lastReadSeq || 0) || d.unreadCount < c.unreadCount
    ? { lastReadSeq: d.lastReadSeq, unreadCount: d.unreadCount, mentionCount: d.mentionCount } : {}));
}

document.addEventListener('visibilitychange', () => {
  const v = chat.get().viewing;
  if (v && document.visibilityState === 'visible') markRead(v);
});

// ---- Messages ------------------------------------------------------------------------------------------------

const PAGE = 50;

// Messages that arrived (live, or as the reply to a send) while their channel's newest page was still on its way:
// replies are not ordered, so that page may have been read before they were stored. Merged when it lands.
const early = new Map(); // channelId -> [message]

function applyPage(channelId, r, { reset = false, older = false, newer = false } = {}) {
  const arrived = !r.hasAfter && (reset || newer) ? early.get(channelId) || [] : [];
  if (!r.hasAfter && (reset || newer)) early.delete(channelId);
  setTimeline(channelId, (tl) => {
    const base = reset ? [] : tl.messages;
    const messages = mergeMessages(mergeMessages(base, r.messages, { prefer: 'incoming' }), arrived, { prefer: 'existing' });
    return {
      ...tl,
      messages,
      loaded: true,
      loading: false,
      hasBefore: reset || older || !tl.loaded ? r.hasBefore : tl.hasBefore,
      hasAfter: reset || newer || !tl.loaded ? r.hasAfter : tl.hasAfter,
    };
  });
  const ids = new Set(r.messages.map((m) => m.authorId));
  ensureUsers([...ids]);
}

/** The newest page of a channel. */
export async function loadLatest(channelId) {
  setTimeline(channelId, (tl) => ({ ...tl, loading: true }));
  try {
    const r = await api.request('message.history', { channelId, limit: PAGE });
    applyPage(channelId, r, { reset: true });
  } catch (e) {
    setTimeline(channelId, (tl) => ({ ...tl, loading: false, error: e }));
    throw e;
  }
}

/** The page before the oldest message loaded (scrolling up). */
export async function loadOlder(channelId) {
  const tl = chat.get().timelines[channelId];
  if (!tl || tl.loading || !tl.hasBefore || !tl.messages.length) return;
  setTimeline(channelId, (t) => ({ ...t, loading: true }));
  try {
    const r = await api.request('message.history', { channelId, before: tl.messages[0].seq, limit: PAGE });
    applyPage(channelId, r, { older: true });
  } catch (e) {
    setTimeline(channelId, (t) => ({ ...t, loading: false }));
  }
}

/** The pages after the newest message loaded, up to the channel's last (after a jump, or to fill a gap). */
export async function loadNewer(channelId) {
  for (let i = 0; i < 20; i++) {
    const tl = chat.get().timelines[channelId];
    if (!tl || !tl.messages.length) return;
    const last = tl.messages[tl.messages.length - 1].seq;
    const r = await api.request('message.history', { channelId, after: last, limit: PAGE });
    applyPage(channelId, r, { newer: true });
    if (!r.hasAfter) return;
  }
}

/** The page around a message (a link to #/c/<id>/<seq>); the timeline starts again from it. */
export async function loadAround(channelId, seq) {
  const tl = chat.get().timelines[channelId];
  if (tl && tl.messages.some((m) => m.seq === seq)) return;
  setTimeline(channelId, (t) => ({ ...t, loading: true }));
  const r = await api.request('message.history', { channelId, around: seq, limit: PAGE });
  applyPage(channelId, r, { reset: true });
}

export async function loadThread(channelId, rootId) {
  const r = await api.request('thread.history', { channelId, messageId: rootId, limit: 100 });
  chat.set((s) => {
    const old = s.threads[rootId];
    return { threads: { ...s.threads, [rootId]: { channelId, root: r.root, replies: mergeMessages(old ? old.replies : [], r.replies), hasAfter: r.hasAfter } } };
  });
  ensureUsers([r.root.authorId, ...r.replies.map((m) => m.authorId)]);
}

/** Reads the people of a channel with listed members (for mentions and the header). */
export async function loadMembers(channelId) {
  const r = await api.request('channel.members', { channelId, limit: 500 });
  const ids = r.members.map((m) => m.userId);
  chat.set((s) => ({ members: { ...s.members, [channelId]: ids } }));
  ensureUsers(ids);
  return ids;
}

// ---- Sending -------------------------------------------------------------------------------------------------

function storageKey() { const id = myId(); return id ? `relais.outbox.${id}` : null; }
function storage() { return auth.get().session?.remember ? localStorage : sessionStorage; }

function savePending() {
  const key = storageKey();
  if (!key) return;
  const all = Object.values(chat.get().pending).flat().filter((p) => !p.failed);
  try {
    if (all.length) storage().setItem(key, JSON.stringify(all.map(({ clientMsgId, channelId, text, threadRootId, at }) => ({ clientMsgId, channelId, text, threadRootId, at }))));
    else storage().removeItem(key);
  } catch (e) { /* storage full or blocked: kept in memory */ }
}

function setPending(channelId, fn) {
  chat.set((s) => ({ pending: { ...s.pending, [channelId]: fn(s.pending[channelId] || []) } }));
  savePending();
}

function dropPending(channelId, clientMsgId) {
  const list = chat.get().pending[channelId];
  if (list && list.some((p) => p.clientMsgId === clientMsgId)) setPending(channelId, (l) => l.filter((p) => p.clientMsgId !== clientMsgId));
}

const inFlight = new Set();
const chains = new Map(); // channelId -> the promise of the last send: a channel's sends go one after the other

/** Sends a pending message; the sends of a channel are made in order, each after the previous one is answered,
 * so that messages written offline keep their order once stored. */
function deliver(item) {
  if (inFlight.has(item.clientMsgId)) return;
  inFlight.add(item.clientMsgId);
  const data = { channelId: item.channelId, text: item.text, clientMsgId: item.clientMsgId };
  if (item.threadRootId) data.threadRootId = item.threadRootId;
  const previous = chains.get(item.channelId) || Promise.resolve();
  const sent = previous.then(() => api.request('message.send', data, { retry: true }));
  chains.set(item.channelId, sent.catch(() => {}));
  sent.then((r) => {
    inFlight.delete(item.clientMsgId);
    addMessage(item.channelId, r.message);
    dropPending(item.channelId, item.clientMsgId);
  }, (e) => {
    inFlight.delete(item.clientMsgId);
    if (e.code === 'unauthenticated') return; // signed out: kept in storage for the next sign-in of this person
    setPending(item.channelId, (l) => l.map((p) => (p.clientMsgId === item.clientMsgId ? { ...p, failed: true, error: e } : p)));
  });
}

/** Sends a message: shown at once as pending, confirmed when the server has stored it. */
export function sendMessage(channelId, text, threadRootId) {
  const item = { clientMsgId: api.newClientMsgId(), channelId, text, threadRootId: threadRootId || undefined, at: new Date().toISOString() };
  setPending(channelId, (l) => [...l, item]);
  lastTyping.delete(channelId + '/' + (threadRootId || '')); // the next keystroke starts a new typing notice
  deliver(item);
  return item;
}

export function retryPending(item) {
  setPending(item.channelId, (l) => l.map((p) => (p.clientMsgId === item.clientMsgId ? { ...p, failed: false, error: null } : p)));
  deliver(item);
}

export function discardPending(item) { dropPending(item.channelId, item.clientMsgId); }

/** Messages of an earlier page of this tab (or of a tab closed before they were sent): sent again, same ids. */
function resendStored() {
  const key = storageKey();
  if (!key) return;
  let saved = [];
  try { saved = JSON.parse(storage().getItem(key) || '[]'); } catch (e) { saved = []; }
  if (!saved.length) return;
  chat.set((s) => {
    const pending = { ...s.pending };
    for (const p of saved) {
      const list = pending[p.channelId] || [];
      if (!list.some((x) => x.clientMsgId === p.clientMsgId)) pending[p.channelId] = [...list, p];
    }
    return { pending };
  });
  for (const p of saved) deliver(p);
}

const lastTyping = new Map();

/** Tells the others that the user is typing (at most every 2.5 s per channel, as the server allows). */
export function typing(channelId, threadRootId) {
  const key = channelId + '/' + (threadRootId || '');
  const now = Date.now();
  if (now - (lastTyping.get(key) || 0) < 2500 || api.connection.get().status !== 'online') return;
  lastTyping.set(key, now);
  const data = { channelId };
  if (threadRootId) data.threadRootId = threadRootId;
  api.request('typing.start', data, { waitMs: 1000 }).catch(() => {});
}

export function editMessage(channelId, messageId, text) {
  return api.request('message.edit', { channelId, messageId, text }).then((d) => { onEdited(d); return d; });
}

export function deleteMessage(channelId, messageId) {
  return api.request('message.delete', { channelId, messageId }).then((d) => { onDeleted(d); return d; });
}

export function toggleReaction(channelId, message, emoji) {
  const mine = (message.reactions || []).some((r) => r.emoji === emoji && r.userIds.includes(myId()));
  return api.request(mine ? 'message.unreact' : 'message.react', { channelId, messageId: message.id, emoji })
    .then((d) => { if (d.changed) onReaction(d); return d; });
}

// ---- Events --------------------------------------------------------------------------------------------------

function mentionsMe(m) {
  return m.mentionsChannel || (m.mentions || []).includes(myId());
}

/** A message of the channel (an event or a reply): into the timeline, the thread, and the channel's state. */
function addMessage(channelId, message, thread) {
  const s = chat.get();
  const tl = s.timelines[channelId];
  let gap = false;
  if (tl && tl.loaded && !tl.hasAfter) {
    const last = tl.messages.length ? tl.messages[tl.messages.length - 1].seq : 0;
    if (message.seq > last + 1 && tl.messages.length) gap = true;
    setTimeline(channelId, (t) => ({ ...t, messages: mergeMessages(t.messages, [message], { prefer: 'existing' }) }));
  }
  if (!tl || !tl.loaded || tl.loading || tl.hasAfter) {
    early.set(channelId, [...(early.get(channelId) || []), message].slice(-200));
  }
  if (message.threadRootId && s.threads[message.threadRootId]) {
    chat.set((st) => {
      const th = st.threads[message.threadRootId];
      return { threads: { ...st.threads, [message.threadRootId]: { ...th, replies: mergeMessages(th.replies, [message], { prefer: 'existing' }) } } };
    });
  }
  if (thread) {
    patchMessage(channelId, thread.rootId, (m) => ({ ...m, replyCount: Math.max(m.replyCount || 0, thread.replyCount), lastReplyAt: thread.lastReplyAt }));
  }
  if (message.authorId === myId() && message.clientMsgId) dropPending(channelId, message.clientMsgId);
  ensureUsers([message.authorId]);
  if (gap) loadNewer(channelId).catch(() => {});
}

function onNew(d) {
  const { channelId, message } = d;
  const before = chat.get().channels[channelId];
  addMessage(channelId, message, d.thread);
  // whoever wrote it has stopped typing
  chat.set((s) => {
    const t = s.typing[channelId];
    if (!t || !t[message.authorId]) return null;
    const next = { ...t };
    delete next[message.authorId];
    return { typing: { ...s.typing, [channelId]: next } };
  });
  if (!before) { loadChannels(); return; }
  const mine = message.authorId === myId();
  patchChannel(channelId, (c) => {
    const seq = Math.max(c.seq || 0, message.seq);
    const out = { seq, lastMessageAt: message.createdAt, lastMessage: message };
    if (mine) {
      if (message.seq >= seq) Object.assign(out, { lastReadSeq: seq, unreadCount: 0, mentionCount: 0 });
    } else if (message.seq > (c.lastReadSeq || 0)) {
      out.unreadCount = seq - (c.lastReadSeq || 0);
      if (mentionsMe(message)) out.mentionCount = (c.mentionCount || 0) + 1;
    }
    return out;
  });
  if (!mine && chat.get().viewing === channelId) markRead(channelId);
}

function onEdited(d) {
  patchMessage(d.channelId, d.messageId, (m) => ({ ...m, text: d.text, editedAt: d.editedAt, mentions: d.mentions, mentionsChannel: d.mentionsChannel }));
}

function onDeleted(d) {
  patchMessage(d.channelId, d.messageId, (m) => ({ ...m, text: '', deleted: true, deletedAt: d.deletedAt, reactions: [], mentions: [] }));
}

function onReaction(d) {
  patchMessage(d.channelId, d.messageId, (m) => {
    let list = (m.reactions || []).map((r) => ({ ...r }));
    let r = list.find((x) => x.emoji === d.emoji);
    if (!r) { r = { emoji: d.emoji, count: 0, userIds: [] }; list.push(r); }
    r.userIds = d.added ? [...new Set([...r.userIds, d.userId])] : r.userIds.filter((u) => u !== d.userId);
    r.count = d.count;
    list = list.filter((x) => x.count > 0);
    return { ...m, reactions: list };
  });
}

function onJoined(d) {
  const s = chat.get();
  if (d.userId === myId()) {
    if (!s.channels[d.channelId]) loadChannels();
    return;
  }
  patchChannel(d.channelId, (c) => (typeof c.memberCount === 'number' ? { memberCount: c.memberCount + 1 } : {}));
  if (s.members[d.channelId]) {
    chat.set((st) => ({ members: { ...st.members, [d.channelId]: [...new Set([...(st.members[d.channelId] || []), d.userId])] } }));
  }
  ensureUsers([d.userId]);
  watchPresence([d.userId]);
}

function dropChannel(channelId) {
  chat.set((s) => {
    const channels = { ...s.channels };
    delete channels[channelId];
    const timelines = { ...s.timelines };
    delete timelines[channelId];
    return { channels, timelines };
  });
}

function onLeft(d) {
  if (d.userId === myId()) { dropChannel(d.channelId); return; }
  patchChannel(d.channelId, (c) => (typeof c.memberCount === 'number' ? { memberCount: Math.max(0, c.memberCount - 1) } : {}));
  if (chat.get().members[d.channelId]) {
    chat.set((st) => ({ members: { ...st.members, [d.channelId]: st.members[d.channelId].filter((u) => u !== d.userId) } }));
  }
}

function onChannelUpdated(d) {
  if (!chat.get().channels[d.channelId]) { loadChannels(); return; }
  patchChannel(d.channelId, () => ({ ...d.channel }));
}

let typingTimer = null;
function onTyping(d) {
  if (d.userId === myId()) return;
  chat.set((s) => ({ typing: { ...s.typing, [d.channelId]: { ...(s.typing[d.channelId] || {}), [d.userId]: { until: Date.now() + 6000, threadRootId: d.threadRootId || null } } } }));
  ensureUsers([d.userId]);
  if (!typingTimer) typingTimer = setInterval(pruneTyping, 1000);
}

function pruneTyping() {
  const now = Date.now();
  let any = false;
  chat.set((s) => {
    const typingNext = {};
    let changed = false;
    for (const [c, who] of Object.entries(s.typing)) {
      const kept = Object.fromEntries(Object.entries(who).filter(([, v]) => v.until > now));
      if (Object.keys(kept).length !== Object.keys(who).length) changed = true;
      if (Object.keys(kept).length) { typingNext[c] = kept; any = true; }
    }
    return changed ? { typing: typingNext } : null;
  });
  if (!any) { clearInterval(typingTimer); typingTimer = null; }
}

function onPresence(d) {
  chat.set((s) => (s.presence[d.userId] === d.status ? null : { presence: { ...s.presence, [d.userId]: d.status } }));
}

function reloadShown(channelId) {
  chat.set((s) => {
    const timelines = { ...s.timelines };
    const threads = { ...s.threads };
    if (channelId) {
      delete timelines[channelId];
      for (const [k, th] of Object.entries(threads)) if (th.channelId === channelId) delete threads[k];
      return { timelines, threads, gen: s.gen + 1 };
    }
    return { timelines: {}, threads: {}, gen: s.gen + 1 };
  });
}

function onResync(d) {
  if (d.reason === 'epoch') { reloadShown(null); loadChannels(); return; }
  if (d.reason === 'removed') { dropChannel(d.channelId); return; }
  reloadShown(d.channelId);
  loadChannels();
}

let started = false;
let firstReady = true;
let userOfState = null;

function onReady(hello) {
  const me = hello.user && hello.user.id;
  if (me) rememberUsers([hello.user]);
  if (userOfState !== me) { // another person signed in on this tab: start clean
    const keep = { users: chat.get().users, viewing: chat.get().viewing };
    chat.set({ ...initial(), ...keep, gen: chat.get().gen + 1 });
    userOfState = me;
    firstReady = true;
  } else if (!hello.resumed) {
    reloadShown(null);
  }
  loadChannels();
  // presence events are not replayed: read it again
  if (!firstReady) watchPresence([...watched], { refresh: true });
  if (firstReady) { firstReady = false; resendStored(); }
}

/** Starts following the server's events (once per page). */
export function startChat() {
  if (started) return;
  started = true;
  api.on('ready', onReady);
  api.on('message.new', onNew);
  api.on('message.edited', onEdited);
  api.on('message.deleted', onDeleted);
  api.on('reaction.changed', onReaction);
  api.on('member.joined', onJoined);
  api.on('member.left', onLeft);
  api.on('channel.updated', onChannelUpdated);
  api.on('read.updated', applyRead);
  api.on('typing', onTyping);
  api.on('presence.changed', onPresence);
  api.on('resync', onResync);
  api.on('user.updated', (d) => d.user && rememberUsers([d.user]));
  auth.subscribe((a) => {
    if (!a.session) { chat.set({ ...initial(), gen: chat.get().gen + 1 }); userOfState = null; watched.clear(); }
  });
  if (api.session()) onReady({ ...api.session(), resumed: true });
}
