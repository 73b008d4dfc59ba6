// Channels: browse the public ones (channel.browse) and join, create one (regional or thematic, public or private,
// sensitive or not, with people to add), or open a direct conversation.
import { html, useEffect, useState, useId } from '../lib/ui.js';
import { t, addCatalogue } from '../lib/i18n.js';
import { navigate, href } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { request } from '../lib/api.js';
import { errorText } from '../lib/errors.js';
import strings from '../i18n/chat.js';
import { chat, loadChannels, rememberChannels } from '../chat/store.js';
import { PeoplePicker } from '../chat/picker.js';
import { KIND_MARK } from './sidebar.js';

addCatalogue(strings);

function CreateForm({ onDone }) {
  const [people, setPeople] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true); setError(null);
    try {
      const r = await request('channel.create', {
        name: String(f.get('name')).trim(),
        topic: String(f.get('topic') || '').trim(),
        kind: f.get('kind'),
        visibility: f.get('visibility'),
        sensitive: f.get('sensitive') === 'on',
        memberIds: people.map((p) => p.id),
      });
      await loadChannels();
      onDone(r.channel);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return html`<form class="card create" onSubmit=${submit} aria-labelledby=${id}>
    <h2 id=${id}>${t('chat.create.title')}</h2>
    <label>${t('chat.create.name')}<input name="name" required maxlength="80" autocomplete="off" /></label>
    <label>${t('chat.create.topic')}<input name="topic" maxlength="250" autocomplete="off" /></label>
    <div class="row">
      <label>${t('chat.create.kind')}<select name="kind">
        <option value="thematic">${t('chat.kind.thematic')}</option>
        <option value="regional">${t('chat.kind.regional')}</option></select></label>
      <label>${t('chat.create.visibility')}<select name="visibility">
        <option value="public">${t('chat.visibility.public')}</option>
        <option value="private">${t('chat.visibility.private')}</option></select></label>
    </div>
    <label class="check"><input type="checkbox" name="sensitive" /> ${t('chat.create.sensitive')}</label>
    <p class="hint">${t('chat.create.sensitiveHint')}</p>
    <${PeoplePicker} value=${people} onChange=${setPeople} label=${t('chat.create.people')} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions"><button type="submit" class="primary" disabled=${busy}>${t('chat.create.submit')}</button></div>
  </form>`;
}

export default function Channels() {
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [creating, setCreating] = useState(false);
  const [joining, setJoining] = useState(null);
  const mine = useStore(chat, (s) => s.channels);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      const data = { query: query.trim(), limit: 50 };
      if (kind) data.kind = kind;
      request('channel.browse', data).then((r) => {
        if (!live) return;
        rememberChannels(r.channels);
        setResult(r); setError(null);
      }, (e) => live && setError(errorText(e)));
    }, 200);
    return () => { live = false; clearTimeout(timer); };
  }, [query, kind]);

  const join = async (c) => {
    setJoining(c.id);
    try {
      await request('channel.join', { channelId: c.id });
      await loadChannels();
      navigate(`c/${c.id}`);
    } catch (e) { setError(errorText(e)); setJoining(null); }
  };

  return html`<section class="channels">
    <div class="screen-head"><h1>${t('chat.channels.title')}</h1>
      <button type="button" class="primary" aria-expanded=${creating} onClick=${() => setCreating(!creating)}>${t('chat.create.open')}</button></div>
    ${creating && html`<${CreateForm} onDone=${(c) => navigate(`c/${c.id}`)} />`}
    <div class="filters" role="search">
      <label>${t('chat.channels.search')}<input type="search" value=${query} maxlength="80" onInput=${(e) => setQuery(e.target.value)} /></label>
      <label>${t('chat.channels.kind')}<select value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="">${t('chat.kind.all')}</option>
        <option value="network">${t('chat.kind.network')}</option>
        <option value="regional">${t('chat.kind.regional')}</option>
        <option value="thematic">${t('chat.kind.thematic')}</option></select></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!result && !error && html`<p class="muted">${t('app.loading')}</p>`}
    ${result && html`<p class="muted" role="status">${t('chat.channels.count', { count: result.total })}</p>
      <ul role="list" class="browse" data-testid="browse">
        ${result.channels.map((c) => {
          const member = c.member || !!mine[c.id];
          return html`<li key=${c.id} class="card browse-item">
            <div class="browse-main">
              <h2><span aria-hidden="true">${KIND_MARK[c.kind]} </span><a href=${href(`c/${c.id}`)}>${c.name}</a></h2>
              ${c.topic && html`<p>${c.topic}</p>`}
              <p class="muted">${t(`chat.kind.${c.kind}`)}${typeof c.memberCount === 'number' ? ' · ' + t('chat.memberCount', { count: c.memberCount }) : ''}</p>
            </div>
            ${member
              ? html`<a class="button secondary" href=${href(`c/${c.id}`)}>${t('chat.open')}</a>`
              : html`<button type="button" class="primary" disabled=${joining === c.id} onClick=${() => join(c)}
                  aria-label=${t('chat.joinNamed', { name: c.name })}>${t('chat.join')}</button>`}
          </li>`;
        })}
      </ul>`}
  </section>`;
}
