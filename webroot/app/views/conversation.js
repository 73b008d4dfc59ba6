// A conversation: #/c/<channelId>, #/c/<channelId>/<seq> (a message), #/c/<channelId>?thread=<rootId> (a thread).
// History loads as the list is scrolled up; new messages arrive live; a message is shown at once as pending, and
// confirmed when the server has it. Text is rendered by lib/markdown.js as vnodes, never as HTML.
import { html, useEffect, useLayoutEffect, useRef, useState, useId } from '../lib/ui.js';
import { t, addCatalogue, fmt, fmtTime, fmtDay, fmtDateTime, fmtList } from '../lib/i18n.js';
import { navigate, href } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { request, connection, session } from '../lib/api.js';
import { errorText } from '../lib/errors.js';
import { renderText } from '../lib/markdown.js';
import strings from '../i18n/chat.js';
import {
  chat, myId, channelOf, setViewing, loadLatest, loadOlder, loadNewer, loadAround, loadThread, loadMembers,
  sendMessage, retryPending, discardPending, typing, editMessage, deleteMessage, toggleReaction, ensureUsers,
  userName, rememberUsers, otherMembers, loadChannels, watchPresence,
} from '../chat/store.js';
import { channelTitle, PresenceDot } from './sidebar.js';
import { InviteDialog } from '../chat/picker.js';

addCatalogue(strings);

const EMOJI = ['👍', '❤️', '😄', '🎉', '🙏', '👀'];
const dayKey = (v) => fmt(v, { year: 'numeric', month: '2-digit', day: '2-digit' });

// ---- Mentions in the composer: "@Name" while writing, "<@ID>" on the wire ---------------------------------

function encodeMentions(text, map) {
  let out = text;
  for (const [name, id] of [...map.entries()].sort((a, b) => b[0].length - a[0].length)) out = out.split('@' + name).join(`<@${id}>`);
  return out;
}

function decodeMentions(text, users, map) {
  return text.replace(/<@([0-9A-Za-z]{1,40})>/g, (m, id) => {
    const name = userName(id, users);
    if (name === '…') return m;
    map.set(name, id);
    return '@' + name;
  });
}

const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function Composer({ channel, threadRootId, members, onSent, label }) {
  const [text, setText] = useState('');
  const [suggest, setSuggest] = useState(null); // {query, start, items, active}
  const map = useRef(new Map());
  const area = useRef(null);
  const id = useId();
  const users = useStore(chat, (s) => s.users);
  const listed = channel && channel.kind !== 'network' && channel.kind !== 'organisation';

  const find = async (query, start) => {
    let items;
    if (listed && members) {
      const q = fold(query);
      items = members.filter((u) => u !== myId()).map((u) => users[u]).filter(Boolean)
        .filter((u) => !q || fold(u.displayName).split(/\s+/).some((w) => w.startsWith(q))).slice(0, 8);
    } else {
      const data = { query, limit: 8 };
      if (channel && channel.kind === 'organisation' && channel.orgId) data.orgId = channel.orgId;
      try {
        const r = await request('user.search', data);
        rememberUsers(r.users);
        items = r.users.filter((u) => u.id !== myId());
      } catch (e) { items = []; }
    }
    setSuggest(items.length ? { query, start, items, active: 0 } : null);
  };

  const onInput = (e) => {
    const v = e.target.value;
    setText(v);
    if (v.trim()) typing(channel.id, threadRootId);
    const caret = e.target.selectionStart;
    const m = /(^|[\s(])@([^\s@<>]{0,30})$/u.exec(v.slice(0, caret));
    if (m) find(m[2], caret - m[2].length - 1);
    else setSuggest(null);
  };

  const choose = (u) => {
    const before = text.slice(0, suggest.start);
    const after = text.slice(suggest.start + 1 + suggest.query.length);
    const next = `${before}@${u.displayName} ${after}`;
    map.current.set(u.displayName, u.id);
    // the field is updated here, synchronously, so that the next keystroke lands after the name
    const el = area.current;
    if (el) {
      el.value = next;
      el.focus();
      const pos = before.length + u.displayName.length + 2;
      el.setSelectionRange(pos, pos);
    }
    setText(next);
    setSuggest(null);
  };

  const send = () => {
    const body = encodeMentions(text, map.current).trim();
    if (!body) return;
    sendMessage(channel.id, body, threadRootId);
    setText('');
    map.current = new Map();
    if (onSent) onSent();
  };

  const onKey = (e) => {
    if (suggest) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setSuggest({ ...suggest, active: (suggest.active + 1) % suggest.items.length }); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setSuggest({ ...suggest, active: (suggest.active - 1 + suggest.items.length) % suggest.items.length }); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); choose(suggest.items[suggest.active]); return; }
      if (e.key === 'Escape') { e.preventDefault(); setSuggest(null); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  };

  return html`<form class="composer" onSubmit=${(e) => { e.preventDefault(); send(); }}>
    <label for=${id} class="sr-only">${label}</label>
    ${suggest && html`<ul id=${id + 'l'} role="listbox" class="suggest" aria-label=${t('chat.mention.list')}>
      ${suggest.items.map((u, i) => html`<li key=${u.id} id=${`${id}o${i}`} role="option" aria-selected=${i === suggest.active}
        class=${i === suggest.active ? 'active' : ''} onMouseDown=${(e) => { e.preventDefault(); choose(u); }}>
        <strong>${u.displayName}</strong> <span class="muted">${u.title || ''}</span></li>`)}
    </ul>`}
    <textarea id=${id} ref=${area} rows="1" value=${text} placeholder=${label} maxlength="8000"
      aria-autocomplete="list" aria-controls=${suggest ? id + 'l' : undefined} aria-expanded=${!!suggest}
      aria-activedescendant=${suggest ? `${id}o${suggest.active}` : undefined} data-testid="composer"
      onInput=${onInput} onKeyDown=${onKey} onBlur=${() => setTimeout(() => setSuggest(null), 150)}></textarea>
    <button type="submit" class="primary" disabled=${!text.trim()}>${t('chat.send')}</button>
  </form>`;
}

// ---- A message -------------------------------------------------------------------------------------------------

function Message({ m, channel, canModerate, onThread, highlight, inThread }) {
  const users = useStore(chat, (s) => s.users);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState(null);
  const map = useRef(new Map());
  const me = myId();
  const mine = m.authorId === me;
  const readOnly = !channel || channel.archived || !channel.member;
  if (m.mentions && m.mentions.length) ensureUsers(m.mentions);
  const mention = (uid) => html`<span class="mention ${uid === me ? 'me' : ''}">@${userName(uid, users)}</span>`;

  const startEdit = () => { map.current = new Map(); setDraft(decodeMentions(m.text, users, map.current)); setEditing(true); setError(null); };
  const saveEdit = async (e) => {
    e.preventDefault();
    try {
      await editMessage(channel.id, m.id, encodeMentions(draft, map.current).trim());
      setEditing(false);
    } catch (err) { setError(errorText(err)); }
  };
  const remove = async () => {
    try { await deleteMessage(channel.id, m.id); } catch (err) { setError(errorText(err)); }
    setConfirming(false);
  };
  const react = async (emoji) => {
    setPicking(false);
    try { await toggleReaction(channel.id, m, emoji); } catch (err) { setError(errorText(err)); }
  };

  return html`<li id=${`msg-${m.seq}`} class="msg ${highlight ? 'highlight' : ''} ${mine ? 'mine' : ''}" data-seq=${m.seq}
      data-testid="message" aria-labelledby=${`msg-${m.seq}-a`}>
    <div class="msg-head">
      <span class="author" id=${`msg-${m.seq}-a`}>${userName(m.authorId, users)}</span>
      <a class="time" href=${href(`c/${m.channelId}/${m.seq}`)} title=${fmtDateTime(m.createdAt)}>
        <time datetime=${m.createdAt}>${fmtTime(m.createdAt)}</time></a>
      ${m.editedAt && !m.deleted && html`<span class="muted edited">${t('chat.edited')}</span>`}
    </div>
    ${m.deleted
      ? html`<p class="text muted deleted">${t('chat.deleted')}</p>`
      : editing
        ? html`<form class="edit" onSubmit=${saveEdit}>
            <label class="sr-only" for=${`edit-${m.id}`}>${t('chat.edit')}</label>
            <textarea id=${`edit-${m.id}`} value=${draft} maxlength="8000" onInput=${(e) => setDraft(e.target.value)}
              onKeyDown=${(e) => { if (e.key === 'Escape') setEditing(false); if (e.key === 'Enter' && !e.shiftKey) saveEdit(e); }}></textarea>
            <div class="actions"><button type="button" class="secondary" onClick=${() => setEditing(false)}>${t('common.cancel')}</button>
              <button type="submit" class="primary" disabled=${!draft.trim()}>${t('common.save')}</button></div>
          </form>`
        : html`<div class="text" data-testid="message-text">${renderText(m.text, { mention })}</div>`}
    ${m.reactions && m.reactions.length > 0 && html`<ul role="list" class="reactions">
      ${m.reactions.map((r) => html`<li key=${r.emoji}><button type="button" class="reaction" aria-pressed=${r.userIds.includes(me)}
        disabled=${readOnly} title=${fmtList(r.userIds.map((u) => userName(u, users)))}
        aria-label=${t('chat.reaction', { emoji: r.emoji, count: r.count })} onClick=${() => react(r.emoji)}>${r.emoji} ${r.count}</button></li>`)}
    </ul>`}
    ${!inThread && m.replyCount > 0 && html`<button type="button" class="link replies" onClick=${() => onThread(m)}>
      ${t('chat.replies', { count: m.replyCount })}</button>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!m.deleted && !editing && !readOnly && html`<div class="msg-tools" role="group" aria-label=${t('chat.actions')}>
      <button type="button" aria-label=${t('chat.react')} title=${t('chat.react')} aria-expanded=${picking} onClick=${() => setPicking(!picking)}>☺</button>
      ${!inThread && html`<button type="button" aria-label=${t('chat.reply')} title=${t('chat.reply')} onClick=${() => onThread(m)}>↩</button>`}
      ${mine && html`<button type="button" aria-label=${t('chat.edit')} title=${t('chat.edit')} onClick=${startEdit}>✎</button>`}
      ${(mine || canModerate) && html`<button type="button" aria-label=${t('chat.delete')} title=${t('chat.delete')} onClick=${() => setConfirming(true)}>✖</button>`}
    </div>`}
    ${picking && html`<div class="emoji-pick" role="group" aria-label=${t('chat.react')}>
      ${EMOJI.map((e) => html`<button type="button" onClick=${() => react(e)} aria-label=${e}>${e}</button>`)}</div>`}
    ${confirming && html`<div class="confirm" role="alert">${t('chat.deleteConfirm')}
      <button type="button" class="secondary" onClick=${() => setConfirming(false)}>${t('common.cancel')}</button>
      <button type="button" class="danger" onClick=${remove}>${t('chat.delete')}</button></div>`}
  </li>`;
}

function PendingMessage({ p }) {
  const status = useStore(connection, (c) => c.status);
  return html`<li class="msg pending ${p.failed ? 'failed' : ''}" data-testid="pending-message">
    <div class="msg-head"><span class="author">${t('chat.you')}</span>
      <span class="muted">${p.failed ? t('chat.notSent') : status === 'online' ? t('chat.sending') : t('chat.waiting')}</span></div>
    <div class="text" data-testid="message-text">${renderText(p.text)}</div>
    ${p.failed && html`<p class="error">${errorText(p.error)}
      <button type="button" class="link" onClick=${() => retryPending(p)}>${t('common.retry')}</button>
      <button type="button" class="link" onClick=${() => discardPending(p)}>${t('chat.discard')}</button></p>`}
  </li>`;
}

function TypingLine({ channelId, threadRootId }) {
  const who = useStore(chat, (s) => s.typing[channelId]);
  const users = useStore(chat, (s) => s.users);
  const names = Object.entries(who || {}).filter(([, v]) => (v.threadRootId || null) === (threadRootId || null)).map(([u]) => userName(u, users));
  return html`<p class="typing" aria-live="polite" data-testid="typing">${names.length ? t('chat.typing', { names: fmtList(names), count: names.length }) : ''}</p>`;
}

// ---- The list of messages -----------------------------------------------------------------------------------

function MessageList({ channel, channelId, jumpSeq, canModerate, onThread }) {
  const tl = useStore(chat, (s) => s.timelines[channelId]);
  const pending = useStore(chat, (s) => s.pending[channelId]);
  const box = useRef(null);
  const atBottom = useRef(true);
  const first = useRef(null);
  const height = useRef(0);
  const jumped = useRef(null);
  const messages = (tl ? tl.messages : []).filter((m) => !m.threadRootId);
  const mainPending = (pending || []).filter((p) => !p.threadRootId);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const firstId = messages.length ? messages[0].id : null;
    if (jumpSeq && jumped.current !== `${channelId}/${jumpSeq}` && tl && tl.loaded) {
      const target = el.querySelector(`#msg-${jumpSeq}`);
      if (target) {
        jumped.current = `${channelId}/${jumpSeq}`;
        target.scrollIntoView({ block: 'center' });
        atBottom.current = false;
      }
    } else if (first.current && firstId !== first.current && height.current && el.scrollTop < 200) {
      el.scrollTop += el.scrollHeight - height.current; // an older page above: stay where the reader was
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    first.current = firstId;
    height.current = el.scrollHeight;
    // a short first page: fetch older ones until the list can scroll
    if (tl && tl.loaded && !tl.loading && tl.hasBefore && el.scrollHeight <= el.clientHeight + 20) loadOlder(channelId);
  });

  const onScroll = () => {
    const el = box.current;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (el.scrollTop < 200 && tl && tl.hasBefore && !tl.loading) loadOlder(channelId);
    if (atBottom.current && tl && tl.hasAfter && !tl.loading) loadNewer(channelId).catch(() => {});
  };

  let lastDay = null;
  const items = [];
  for (const m of messages) {
    const day = dayKey(m.createdAt);
    if (day !== lastDay) {
      items.push(html`<li key=${'d' + day} class="day" role="separator"><span>${fmtDay(m.createdAt)}</span></li>`);
      lastDay = day;
    }
    items.push(html`<${Message} key=${m.id} m=${m} channel=${channel} canModerate=${canModerate}
      onThread=${onThread} highlight=${jumpSeq === m.seq} />`);
  }
  return html`<div class="messages" ref=${box} onScroll=${onScroll} tabindex="0" aria-label=${t('chat.messages')}>
    ${tl && tl.loading && tl.hasBefore !== false && html`<p class="muted center">${t('app.loading')}</p>`}
    ${tl && tl.loaded && !tl.hasBefore && html`<p class="muted center start">${t('chat.start')}</p>`}
    <ol class="msg-list" role="list" data-testid="messages">
      ${items}
      ${!(tl && tl.hasAfter) && mainPending.map((p) => html`<${PendingMessage} key=${p.clientMsgId} p=${p} />`)}
    </ol>
    ${tl && tl.hasAfter && html`<button type="button" class="link center" onClick=${() => navigate(`c/${channelId}`)}>${t('chat.latest')}</button>`}
  </div>`;
}

// ---- A thread ------------------------------------------------------------------------------------------------

function Thread({ channel, rootId, canModerate, members }) {
  const th = useStore(chat, (s) => s.threads[rootId]);
  const pending = useStore(chat, (s) => s.pending[channel.id]);
  const gen = useStore(chat, (s) => s.gen);
  const [error, setError] = useState(null);
  const close = () => navigate(`c/${channel.id}`);
  useEffect(() => {
    setError(null);
    loadThread(channel.id, rootId).catch((e) => setError(errorText(e)));
  }, [channel.id, rootId, gen]);
  const mine = (pending || []).filter((p) => p.threadRootId === rootId);
  return html`<aside class="thread" aria-labelledby="thread-title" data-testid="thread"
      onKeyDown=${(e) => { if (e.key === 'Escape') close(); }}>
    <div class="thread-head"><h2 id="thread-title">${t('chat.thread')}</h2>
      <button type="button" class="link" onClick=${close} aria-label=${t('chat.closeThread')}>✕</button></div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${th && html`<div class="messages">
      <ol class="msg-list" role="list">
        <${Message} m=${th.root} channel=${channel} canModerate=${canModerate} inThread=${true} />
        <li class="day" role="separator"><span>${t('chat.replies', { count: th.root.replyCount || th.replies.length })}</span></li>
        ${th.replies.map((m) => html`<${Message} key=${m.id} m=${m} channel=${channel} canModerate=${canModerate} inThread=${true} />`)}
        ${mine.map((p) => html`<${PendingMessage} key=${p.clientMsgId} p=${p} />`)}
      </ol></div>`}
    <${TypingLine} channelId=${channel.id} threadRootId=${rootId} />
    ${channel.member && !channel.archived && html`<${Composer} channel=${channel} threadRootId=${rootId} members=${members} label=${t('chat.replyPlaceholder')} />`}
  </aside>`;
}

// ---- The screen ----------------------------------------------------------------------------------------------

export default function Conversation({ route }) {
  const channelId = route.parts[1];
  const jumpSeq = Number(route.parts[2]) || null;
  const threadId = route.params.thread || null;
  const mine = useStore(chat, (s) => s.channels[channelId]);
  const other = useStore(chat, (s) => s.known[channelId]);
  const listLoaded = useStore(chat, (s) => s.listLoaded);
  const users = useStore(chat, (s) => s.users);
  const presence = useStore(chat, (s) => s.presence);
  const gen = useStore(chat, (s) => s.gen);
  const memberIds = useStore(chat, (s) => s.members[channelId]);
  const [error, setError] = useState(null);
  const [inviting, setInviting] = useState(false);
  const [busy, setBusy] = useState(false);
  const base = mine || other;
  const channel = base ? { ...base, member: !!mine } : null;

  useEffect(() => { setViewing(channelId); return () => setViewing(null); }, [channelId]);

  useEffect(() => {
    setError(null);
    const tl = chat.get().timelines[channelId];
    const run = jumpSeq ? loadAround(channelId, jumpSeq) : (tl && tl.loaded && !tl.hasAfter ? Promise.resolve() : loadLatest(channelId));
    run.catch((e) => setError(e));
  }, [channelId, jumpSeq, gen]);

  const listed = channel && channel.kind !== 'network' && channel.kind !== 'organisation';
  useEffect(() => {
    if (!listed) return;
    loadMembers(channelId).then((ids) => watchPresence(ids.filter((u) => u !== myId())), () => {});
  }, [channelId, listed, gen]);

  if (!channel && error) {
    return html`<section class="conv-missing"><h1>${t('chat.missing')}</h1><p>${errorText(error)}</p>
      <p><a href=${href('channels')}>${t('chat.browse')}</a></p></section>`;
  }
  if (!channel) {
    return html`<section><h1>${listLoaded ? t('chat.conversation') : t('app.loading')}</h1>
      ${error && html`<p class="error">${errorText(error)}</p>`}</section>`;
  }

  const me = session()?.user;
  const roles = (me && me.roles) || [];
  const canModerate = channel.kind !== 'direct' && (channel.role === 'owner' || channel.role === 'moderator'
    || roles.includes('admin') || (channel.kind === 'organisation' && roles.includes('org-admin') && channel.orgId === me.orgId));
  const others = channel.kind === 'direct' ? otherMembers(channel) : [];
  const invitable = channel.member && !channel.archived && ['regional', 'thematic', 'partnership'].includes(channel.kind);
  const leavable = channel.member && ['regional', 'thematic', 'partnership'].includes(channel.kind);
  const openThread = (m) => navigate(`c/${channelId}?thread=${m.id}`);

  const join = async () => {
    setBusy(true);
    try { await request('channel.join', { channelId }); await loadChannels(); } catch (e) { setError(e); }
    setBusy(false);
  };
  const leave = async () => {
    setBusy(true);
    try { await request('channel.leave', { channelId }); navigate(''); } catch (e) { setError(e); setBusy(false); }
  };

  return html`<section class="conv ${threadId ? 'with-thread' : ''}" data-testid="conversation">
    <div class="conv-main">
      <header class="conv-head">
        <div class="conv-title">
          <h1>${others.length === 1 && html`<${PresenceDot} status=${presence[others[0]]} /> `}${channelTitle(channel, users)}</h1>
          <p class="muted topic">
            ${channel.topic || (channel.kind === 'direct' ? t('chat.dm.topic') : '')}
            ${typeof channel.memberCount === 'number' && channel.kind !== 'direct' && html` · ${t('chat.memberCount', { count: channel.memberCount })}`}
            ${channel.sensitive && html` · <span class="tag">${t('chat.sensitive')}</span>`}
            ${channel.archived && html` · <span class="tag">${t('chat.archived')}</span>`}
          </p>
        </div>
        <div class="conv-actions">
          ${invitable && html`<button type="button" class="secondary" onClick=${() => setInviting(true)}>${t('chat.invite')}</button>`}
          ${leavable && html`<button type="button" class="secondary" disabled=${busy} onClick=${leave}>${t('chat.leave')}</button>`}
        </div>
      </header>
      ${error && channel && html`<p class="error" role="alert">${errorText(error)}</p>`}
      <${MessageList} channel=${channel} channelId=${channelId} jumpSeq=${jumpSeq} canModerate=${canModerate} onThread=${openThread} />
      <${TypingLine} channelId=${channelId} />
      ${channel.archived
        ? html`<p class="muted notice">${t('chat.archivedNotice')}</p>`
        : channel.member
          ? html`<${Composer} channel=${channel} members=${memberIds} label=${t('chat.placeholder', { name: channelTitle(channel, users) })} />`
          : html`<p class="notice">${t('chat.notMember')} <button type="button" class="primary" disabled=${busy} onClick=${join}>${t('chat.join')}</button></p>`}
    </div>
    ${threadId && html`<${Thread} key=${threadId} channel=${channel} rootId=${threadId} canModerate=${canModerate} members=${memberIds} />`}
    ${inviting && html`<${InviteDialog} channel=${channel} members=${memberIds || []} onClose=${() => setInviting(false)} />`}
  </section>`;
}
