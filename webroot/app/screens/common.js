// Shared by the calendar, partnership, notification and settings screens: who I am, names of people and
// organisations (cached), plain-date arithmetic in the user's zone, and a people picker.
import { html, useEffect, useRef, useState, useId } from '../lib/ui.js';
import { request, on, session } from '../lib/api.js';
import { createStore, useStore } from '../lib/store.js';
import { t, fmt, zone, addCatalogue } from '../lib/i18n.js';
import screens from '../i18n/screens.js';

addCatalogue(screens);

/** {user, org}: the signed-in person, kept fresh from user.me and user.updated. */
export const me = createStore({ user: null, org: null });

let meStarted = false;
export function startMe() {
  const s = session();
  if (s && s.user && !me.get().user) me.set({ user: s.user, org: s.org || null });
  if (meStarted) return;
  meStarted = true;
  on('ready', (hello) => me.set({ user: hello.user, org: hello.org || me.get().org }));
  on('user.updated', (d) => {
    if (d.user && me.get().user && d.user.id === me.get().user.id) me.set({ user: d.user });
    if (d.user) people.set({ [d.user.id]: d.user });
  });
  request('user.me', {}).then((r) => me.set({ user: r.user, org: r.org })).catch(() => {});
}

export function useMe() {
  startMe();
  return useStore(me);
}

export function hasRole(user, ...roles) {
  return !!user && (user.roles || []).some((r) => roles.includes(r));
}

/** id → user, filled on demand. */
export const people = createStore({});
const asked = new Set();
export function ensurePeople(ids) {
  const missing = [...new Set(ids || [])].filter((id) => id && !people.get()[id] && !asked.has(id));
  for (const id of missing) {
    asked.add(id);
    request('user.get', { userId: id }).then(
      (r) => people.set({ [id]: r.user }),
      () => people.set({ [id]: { id, displayName: '?' } }),
    );
  }
}
export function usePerson(id) {
  useEffect(() => ensurePeople([id]), [id]);
  return useStore(people, (p) => p[id]);
}
export function Name({ id }) {
  const p = usePerson(id);
  return html`<span>${p ? p.displayName : '…'}</span>`;
}

/** id → org, loaded once with org.list. */
export const orgs = createStore({ list: null, byId: {} });
let orgsLoading = null;
export function loadOrgs(force = false) {
  if (orgsLoading && !force) return orgsLoading;
  orgsLoading = request('org.list', {}).then((r) => {
    const byId = {};
    for (const o of r.orgs) byId[o.id] = o;
    orgs.set({ list: r.orgs, byId });
    return r.orgs;
  }).catch((e) => { orgsLoading = null; throw e; });
  return orgsLoading;
}
export function OrgName({ id }) {
  const o = useStore(orgs, (s) => s.byId[id]);
  useEffect(() => { if (!o) loadOrgs().catch(() => {}); }, [id]);
  return html`<span>${o ? o.name : '…'}</span>`;
}

// ---- Plain dates (YYYY-MM-DD) and zones -------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, '0');

/** The parts of an instant in a zone: {y, m, d, h, mi, date: 'YYYY-MM-DD', time: 'HH:mm'}. */
export function partsIn(instant, z = zone()) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const r = { y: +p.year, m: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute };
  r.date = `${p.year}-${p.month}-${p.day}`;
  r.time = `${pad(r.h)}:${pad(r.mi)}`;
  return r;
}

export function today(z = zone()) { return partsIn(Date.now(), z).date; }

/** A plain date moved by n days. */
export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  const x = new Date(Date.UTC(y, m - 1, d + n));
  return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}`;
}
/** ISO weekday of a plain date: 1 = Monday … 7 = Sunday. */
export function isoDay(date) {
  const [y, m, d] = date.split('-').map(Number);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}
export function mondayOf(date) { return addDays(date, 1 - isoDay(date)); }

/** Formats a plain date (no zone shift) in the current language. */
export function fmtPlainDate(date, opts = { weekday: 'long', day: 'numeric', month: 'long' }) {
  const [y, m, d] = date.split('-').map(Number);
  return fmt(new Date(Date.UTC(y, m - 1, d, 12)), { ...opts, timeZone: 'UTC' });
}

/** Weekday names in the current language, Monday first: [{n: 1, short, long}]. */
export function weekdays() {
  const base = '2024-01-01'; // a Monday
  return [1, 2, 3, 4, 5, 6, 7].map((n) => ({
    n,
    short: fmtPlainDate(addDays(base, n - 1), { weekday: 'short' }),
    long: fmtPlainDate(addDays(base, n - 1), { weekday: 'long' }),
  }));
}

/** Every IANA zone the browser knows (falls back to a short list). */
export function allZones() {
  try {
    const z = Intl.supportedValuesOf('timeZone');
    if (z && z.length) return z.includes('UTC') ? z : ['UTC', ...z];
  } catch (e) { /* old browser */ }
  return ['UTC', 'Africa/Bamako', 'Africa/Dakar', 'Africa/Lagos', 'Africa/Nairobi', 'America/New_York', 'Asia/Tokyo',
    'Europe/London', 'Europe/Oslo', 'Europe/Paris'];
}

/** A zone's short name now, e.g. "Europe/Oslo (UTC+1)". */
export function zoneLabel(z) {
  try {
    const p = new Intl.DateTimeFormat('en', { timeZone: z, timeZoneName: 'shortOffset' }).formatToParts(new Date());
    const off = (p.find((x) => x.type === 'timeZoneName') || {}).value || '';
    return off ? `${z} (${off.replace('GMT', 'UTC')})` : z;
  } catch (e) { return z; }
}

export function ZoneSelect({ name, value, onChange, label }) {
  const zones = allZones();
  const list = value && !zones.includes(value) ? [value, ...zones] : zones;
  return html`<label>${label}
    <select name=${name} value=${value} onChange=${(e) => onChange && onChange(e.target.value)}>
      ${list.map((z) => html`<option value=${z} selected=${z === value}>${z}</option>`)}
    </select></label>`;
}

// ---- People picker -----------------------------------------------------------------------------------------------

/**
 * Chooses people: a search box (user.search) and the chosen ones as removable chips.
 * props: {label, value: [ids], onChange(ids), orgId?, testid?}
 */
export function PeoplePicker({ label, value, onChange, orgId, testid }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState([]);
  const [open, setOpen] = useState(false);
  const timer = useRef(null);
  const all = useStore(people);
  useEffect(() => ensurePeople(value), [value.join(',')]);
  useEffect(() => {
    clearTimeout(timer.current);
    if (!query.trim() && !orgId) { setResults([]); return undefined; }
    timer.current = setTimeout(() => {
      const data = { limit: 8 };
      if (query.trim()) data.query = query.trim();
      if (orgId) data.orgId = orgId;
      request('user.search', data).then((r) => {
        for (const u of r.users) people.set({ [u.id]: u });
        setResults(r.users);
      }, () => setResults([]));
    }, 200);
    return () => clearTimeout(timer.current);
  }, [query, orgId]);
  const add = (u) => {
    if (!value.includes(u.id)) onChange([...value, u.id]);
    setQuery('');
    setOpen(false);
  };
  const shown = results.filter((u) => !value.includes(u.id));
  return html`<div class="picker" data-testid=${testid}>
    <label for=${id}>${label}</label>
    ${value.length > 0 && html`<ul role="list" class="chips">
      ${value.map((uid) => html`<li class="chip">${all[uid] ? all[uid].displayName : '…'}
        <button type="button" class="chip-x" aria-label=${t('people.remove', { name: all[uid] ? all[uid].displayName : '' })}
          onClick=${() => onChange(value.filter((x) => x !== uid))}>×</button></li>`)}
    </ul>`}
    <input id=${id} type="search" autocomplete="off" placeholder=${t('people.searchHint')} value=${query}
      role="combobox" aria-expanded=${open && shown.length > 0} aria-controls=${id + '-list'} aria-autocomplete="list"
      onInput=${(e) => { setQuery(e.target.value); setOpen(true); }} onFocus=${() => setOpen(true)}
      onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); if (shown[0]) add(shown[0]); } if (e.key === 'Escape') setOpen(false); }} />
    ${open && (query.trim() || orgId) && html`<ul id=${id + '-list'} role="listbox" class="options">
      ${shown.length === 0 && html`<li class="muted">${t('people.none')}</li>`}
      ${shown.map((u) => html`<li role="option" aria-selected="false" tabindex="-1"
        onMouseDown=${(e) => { e.preventDefault(); add(u); }}>${u.displayName}<span class="muted"> · ${u.timeZone}</span></li>`)}
    </ul>`}
  </div>`;
}

/** A status line that screen readers announce. */
export function Status({ text, error }) {
  if (!text) return null;
  return html`<p class=${error ? 'error' : 'ok-msg'} role=${error ? 'alert' : 'status'}>${text}</p>`;
}
