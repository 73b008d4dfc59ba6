// The directory: people and organisations by country (org.list, user.search, org.get), each person's local time in
// their own time zone, their presence, and a button to write to them (dm.open).
import { html, useEffect, useState } from '../lib/ui.js';
import { t, addCatalogue, fmtTime, countryName, locale } from '../lib/i18n.js';
import { navigate } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { request, session } from '../lib/api.js';
import { errorText } from '../lib/errors.js';
import strings from '../i18n/chat.js';
import { chat, rememberUsers, watchPresence, loadChannels, myId } from '../chat/store.js';
import { PresenceDot } from './sidebar.js';

addCatalogue(strings);

function useClock() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Person({ u, org, now, presence }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const write = async () => {
    setBusy(true);
    try {
      const r = await request('dm.open', { userIds: [u.id] });
      await loadChannels();
      navigate(`c/${r.channel.id}`);
    } catch (e) { setError(errorText(e)); setBusy(false); }
  };
  let local = '';
  try { local = fmtTime(now, { timeZone: u.timeZone }); } catch (e) { local = ''; }
  return html`<li class="card person" data-testid="person">
    <div class="person-main">
      <h3><${PresenceDot} status=${presence[u.id]} /> ${u.displayName}</h3>
      <p class="muted">${[u.title, org && org.shortName].filter(Boolean).join(' · ')}</p>
      <p class="local" data-testid="local-time">${t('chat.dir.localTime', { time: local, zone: u.timeZone })}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </div>
    ${u.id !== myId() && u.status === 'active' && html`<button type="button" class="secondary" disabled=${busy} onClick=${write}
      aria-label=${t('chat.dir.messageNamed', { name: u.displayName })}>${t('chat.dir.message')}</button>`}
  </li>`;
}

export default function Directory() {
  const me = session()?.user;
  const [country, setCountry] = useState(me ? me.country : '');
  const [countries, setCountries] = useState([]);
  const [orgs, setOrgs] = useState([]);
  const [orgId, setOrgId] = useState('');
  const [org, setOrg] = useState(null);
  const [query, setQuery] = useState('');
  const [people, setPeople] = useState(null);
  const [error, setError] = useState(null);
  const presence = useStore(chat, (s) => s.presence);
  const lang = useStore(locale, (l) => l.lang);
  const now = useClock();

  useEffect(() => {
    request('org.list', {}).then((r) => {
      const all = [...new Set(r.orgs.map((o) => o.country))];
      setCountries(all);
      if (!country && all.length) setCountry(all[0]);
    }, (e) => setError(errorText(e)));
  }, []);

  useEffect(() => {
    setOrgId('');
    if (!country) return;
    request('org.list', { country }).then((r) => setOrgs(r.orgs), (e) => setError(errorText(e)));
  }, [country]);

  useEffect(() => {
    setOrg(null);
    if (!orgId) return;
    request('org.get', { orgId }).then((r) => setOrg(r.org), (e) => setError(errorText(e)));
  }, [orgId]);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      const data = { query: query.trim(), limit: 100 };
      if (orgId) data.orgId = orgId;
      else if (country) data.country = country;
      request('user.search', data).then((r) => {
        if (!live) return;
        rememberUsers(r.users);
        setPeople(r.users);
        if (r.users.length) watchPresence(r.users.map((u) => u.id));
      }, (e) => live && setError(errorText(e)));
    }, 200);
    return () => { live = false; clearTimeout(timer); };
  }, [query, country, orgId]);

  const orgById = Object.fromEntries(orgs.map((o) => [o.id, o]));
  const sortedCountries = [...countries].sort((a, b) => countryName(a).localeCompare(countryName(b), lang));

  return html`<section class="directory">
    <h1>${t('chat.dir.title')}</h1>
    <div class="filters" role="search">
      <label>${t('chat.dir.country')}<select value=${country} onChange=${(e) => setCountry(e.target.value)} data-testid="country">
        ${sortedCountries.map((c) => html`<option value=${c}>${countryName(c)}</option>`)}</select></label>
      <label>${t('chat.dir.search')}<input type="search" value=${query} maxlength="80" onInput=${(e) => setQuery(e.target.value)} /></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="dir-cols">
      <section aria-labelledby="dir-orgs" class="dir-orgs">
        <h2 id="dir-orgs">${t('chat.dir.orgs', { country: countryName(country) })}</h2>
        <ul role="list" class="org-list">
          ${orgs.map((o) => html`<li key=${o.id}><button type="button" class="org ${orgId === o.id ? 'active' : ''}" aria-pressed=${orgId === o.id}
            onClick=${() => setOrgId(orgId === o.id ? '' : o.id)}>
            <strong>${o.shortName}</strong> <span class="muted">${o.name}</span>
            <span class="muted small">${t('chat.dir.members', { count: o.memberCount || 0 })}</span></button></li>`)}
        </ul>
        ${org && html`<div class="card org-card" data-testid="org-card">
          <h3>${org.name}</h3>
          <p class="muted">${t(`chat.orgKind.${org.kind}`)} · ${countryName(org.country)}</p>
          ${org.partners && org.partners.length > 0 && html`<p>${t('chat.dir.partners')} ${org.partners.map((p) => p.shortName).join(', ')}</p>`}
        </div>`}
      </section>
      <section aria-labelledby="dir-people" class="dir-people">
        <h2 id="dir-people">${org ? t('chat.dir.peopleOf', { name: org.shortName }) : t('chat.dir.people')}</h2>
        ${people === null && html`<p class="muted">${t('app.loading')}</p>`}
        ${people && !people.length && html`<p class="muted">${t('chat.dir.nobody')}</p>`}
        <ul role="list" class="people">
          ${(people || []).map((u) => html`<${Person} key=${u.id} u=${u} org=${orgById[u.orgId]} now=${now} presence=${presence} />`)}
        </ul>
      </section>
    </div>
  </section>`;
}
