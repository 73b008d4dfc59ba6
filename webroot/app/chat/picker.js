// Choosing people: a search field over user.search with a list of results (the people picker of channel
// invitations and of new channels), and the invitation dialog of a channel.
import { html, useEffect, useRef, useState, useId } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { request } from '../lib/api.js';
import { errorText } from '../lib/errors.js';
import { rememberUsers, myId } from './store.js';

/** A search for people; chosen people are shown as removable chips. value: [{id, displayName}]. */
export function PeoplePicker({ value, onChange, exclude = [], label }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState([]);
  const [active, setActive] = useState(0);
  const id = useId();
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      request('user.search', { query: query.trim(), limit: 8 }).then((r) => {
        if (!live) return;
        rememberUsers(r.users);
        const skip = new Set([...exclude, ...value.map((u) => u.id), myId()]);
        setResults(r.users.filter((u) => !skip.has(u.id) && u.status !== 'disabled'));
        setActive(0);
      }, () => {});
    }, 200);
    return () => { live = false; clearTimeout(timer); };
  }, [query, value.length]);
  const pick = (u) => { onChange([...value, { id: u.id, displayName: u.displayName }]); setQuery(''); };
  const onKey = (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(results.length - 1, a + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
    else if (e.key === 'Enter' && results[active]) { e.preventDefault(); pick(results[active]); }
  };
  return html`<div class="picker">
    <label for=${id + 'q'}>${label || t('chat.picker.label')}</label>
    ${value.length > 0 && html`<ul role="list" class="chips" aria-label=${t('chat.picker.chosen')}>
      ${value.map((u) => html`<li key=${u.id}>${u.displayName}
        <button type="button" class="chip-x" aria-label=${t('chat.picker.remove', { name: u.displayName })}
          onClick=${() => onChange(value.filter((x) => x.id !== u.id))}>×</button></li>`)}
    </ul>`}
    <input id=${id + 'q'} type="search" value=${query} autocomplete="off" placeholder=${t('chat.picker.placeholder')}
      role="combobox" aria-expanded=${results.length > 0} aria-controls=${id + 'l'} aria-autocomplete="list"
      aria-activedescendant=${results[active] ? `${id}o${active}` : undefined}
      onInput=${(e) => setQuery(e.target.value)} onKeyDown=${onKey} />
    <ul id=${id + 'l'} role="listbox" class="picker-results" aria-label=${t('chat.picker.results')}>
      ${results.map((u, i) => html`<li key=${u.id} id=${`${id}o${i}`} role="option" aria-selected=${i === active}
        class=${i === active ? 'active' : ''} onMouseDown=${(e) => { e.preventDefault(); pick(u); }}>
        <span class="name">${u.displayName}</span> <span class="muted">${u.title || u.email}</span></li>`)}
    </ul>
  </div>`;
}

/** A modal dialog: open while mounted, closed with Escape or its close button; focus returns where it was. */
export function Dialog({ title, onClose, children }) {
  const ref = useRef(null);
  const id = useId();
  useEffect(() => {
    const back = document.activeElement;
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => { if (back && back.focus) back.focus(); };
  }, []);
  return html`<dialog ref=${ref} class="dialog" aria-labelledby=${id} aria-modal="true"
      onCancel=${(e) => { e.preventDefault(); onClose(); }}>
    <div class="dialog-head"><h2 id=${id}>${title}</h2>
      <button type="button" class="link" onClick=${onClose} aria-label=${t('common.close')}>✕</button></div>
    ${children}
  </dialog>`;
}

/** Invites people to a channel (channel.invite). */
export function InviteDialog({ channel, members = [], onClose }) {
  const [people, setPeople] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    if (!people.length) return;
    setBusy(true); setError(null);
    try {
      const r = await request('channel.invite', { channelId: channel.id, userIds: people.map((p) => p.id) });
      setDone(r.added.length);
      setPeople([]);
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };
  return html`<${Dialog} title=${t('chat.invite.title', { name: channel.name })} onClose=${onClose}>
    <form onSubmit=${submit}>
      <${PeoplePicker} value=${people} onChange=${setPeople} exclude=${members} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${done !== null && html`<p role="status" class="ok">${t('chat.invite.done', { count: done })}</p>`}
      <div class="actions">
        <button type="button" class="secondary" onClick=${onClose}>${t('common.close')}</button>
        <button type="submit" class="primary" disabled=${busy || !people.length}>${t('chat.invite.submit')}</button>
      </div>
    </form>
  </${Dialog}>`;
}
