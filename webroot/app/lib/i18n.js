// Strings, languages and time zones. Every visible string comes from a catalogue registered with addCatalogue();
// dates, times and numbers are formatted with Intl in the chosen language and time zone.
import { createStore } from './store.js';

export const LANGS = ['en', 'fr'];
const catalogues = { en: {}, fr: {} };
const LANG_KEY = 'relais.lang';

function detectLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (e) { /* storage blocked */ }
  for (const l of navigator.languages || [navigator.language || '']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
}

/** {lang, zone}: components that format text re-render when it changes (the shell subscribes at the root). */
export const locale = createStore({ lang: detectLang(), zone: browserZone() });

/** Adds strings: {en: {key: text}, fr: {key: text}}. Placeholders are {name}. */
export function addCatalogue(cat) {
  for (const l of Object.keys(cat)) Object.assign(catalogues[l] || (catalogues[l] = {}), cat[l]);
}

/**
 * The text of a key in the current language (English if missing there), with {name} placeholders filled.
 * With params.count, the key "k" looks up "k.one" / "k.other" (Intl.PluralRules) first.
 */
export function t(key, params) {
  const lang = locale.get().lang;
  let k = key;
  if (params && typeof params.count === 'number') {
    const form = new Intl.PluralRules(lang).select(params.count);
    const cat = catalogues[lang];
    k = cat[`${key}.${form}`] !== undefined || catalogues.en[`${key}.${form}`] !== undefined ? `${key}.${form}` : `${key}.other`;
  }
  let s = catalogues[lang][k] ?? catalogues.en[k] ?? catalogues[lang][key] ?? catalogues.en[key] ?? key;
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => {
      const v = params[name];
      if (v === undefined || v === null) return m;
      return typeof v === 'number' ? fmtNumber(v) : String(v);
    });
  }
  return s;
}

export function lang() { return locale.get().lang; }
export function zone() { return locale.get().zone; }

export function setLang(l, { remember = true } = {}) {
  if (!LANGS.includes(l)) return;
  if (remember) {
    try { localStorage.setItem(LANG_KEY, l); } catch (e) { /* storage blocked */ }
  }
  document.documentElement.lang = l;
  locale.set({ lang: l });
}

export function setZone(z) {
  if (!z) return;
  try { new Intl.DateTimeFormat('en', { timeZone: z }); } catch (e) { return; }
  locale.set({ zone: z });
}

function toDate(v) { return v instanceof Date ? v : new Date(v); }

/** Formats with Intl in the current language and zone (or opts.timeZone). */
export function fmt(v, opts) {
  const { lang: l, zone: z } = locale.get();
  return new Intl.DateTimeFormat(l, { timeZone: z, ...opts }).format(toDate(v));
}
export const fmtTime = (v, opts) => fmt(v, { hour: '2-digit', minute: '2-digit', ...opts });
export const fmtDate = (v, opts) => fmt(v, { day: 'numeric', month: 'long', year: 'numeric', ...opts });
export const fmtDay = (v, opts) => fmt(v, { weekday: 'long', day: 'numeric', month: 'long', ...opts });
export const fmtDateTime = (v, opts) => fmt(v, { dateStyle: 'medium', timeStyle: 'short', ...opts });
export function fmtNumber(n, opts) { return new Intl.NumberFormat(locale.get().lang, opts).format(n); }
export function fmtList(items, opts) {
  return new Intl.ListFormat(locale.get().lang, { style: 'long', type: 'conjunction', ...opts }).format(items);
}
/** "5 minutes ago", "in 2 days". */
export function fmtRelative(v, now = Date.now()) {
  const diff = (toDate(v).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale.get().lang, { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}
/** The name of a country from its ISO code, in the current language. */
export function countryName(code) {
  try { return new Intl.DisplayNames([locale.get().lang], { type: 'region' }).of(code) || code; } catch (e) { return code; }
}
