// Settings (#/settings): language (at once, user.update locale), time zone and working hours (user.update),
// notification preferences (notification.prefs.get/set: kinds, push mode, quiet hours; per-channel levels live in
// the channels), and browser notifications for this device (screens/push.js).
import { html, useEffect, useState } from '../lib/ui.js';
import { t, setLang, setZone, fmtTime, LANGS, locale } from '../lib/i18n.js';
import { request } from '../lib/api.js';
import { useStore } from '../lib/store.js';
import { errorText } from '../lib/errors.js';
import { useMe, me, weekdays, ZoneSelect, Status } from '../screens/common.js';
import * as push from '../screens/push.js';

const KINDS = ['mention', 'direct', 'message', 'channel.invite', 'event.invite', 'event.changed', 'event.cancelled',
  'event.reminder', 'partnership.new', 'partnership.counter', 'partnership.accepted', 'partnership.declined',
  'partnership.withdrawn', 'partnership.expiring', 'partnership.expired', 'partnership.ended'];

function Profile({ user }) {
  const lang = useStore(locale, (l) => l.lang);
  const [zoneValue, setZoneValue] = useState(user.timeZone || 'UTC');
  const wh = user.workingHours || { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
  const [days, setDays] = useState(wh.days);
  const [start, setStart] = useState(wh.start);
  const [end, setEnd] = useState(wh.end);
  const [msg, setMsg] = useState(null);
  const [err, setErr] = useState(null);
  const chooseLang = async (l) => {
    setLang(l);
    try { await request('user.update', { locale: l }); } catch (e) { setErr(errorText(e)); }
  };
  const save = async (e) => {
    e.preventDefault();
    setMsg(null); setErr(null);
    try {
      const r = await request('user.update', { timeZone: zoneValue, workingHours: { days: [...days].sort(), start, end } });
      me.set({ user: r.user });
      setZone(r.user.timeZone);
      setMsg(t('set.saved'));
    } catch (x) { setErr(errorText(x)); }
  };
  return html`<section class="card set-card" aria-labelledby="set-profile">
    <h2 id="set-profile">${t('set.profile')}</h2>
    <label>${t('set.lang')}
      <select name="lang" data-testid="set-lang" onChange=${(e) => chooseLang(e.target.value)}>
        ${LANGS.map((l) => html`<option value=${l} selected=${l === lang} lang=${l}>${t('lang.' + l)}</option>`)}
      </select></label>
    <form onSubmit=${save}>
      <${ZoneSelect} name="timeZone" label=${t('set.zone')} value=${zoneValue} onChange=${setZoneValue} />
      <p class="hint">${t('set.zoneNow', { time: fmtTime(Date.now(), { timeZone: zoneValue }) })}</p>
      <fieldset>
        <legend>${t('set.hours')}</legend>
        <div class="days" role="group" aria-label=${t('set.days')}>
          ${weekdays().map((d) => html`<label class="check"><input type="checkbox" checked=${days.includes(d.n)}
            onChange=${(e) => setDays(e.target.checked ? [...days, d.n] : days.filter((x) => x !== d.n))} /> ${d.long}</label>`)}
        </div>
        <div class="row">
          <label>${t('set.hStart')}<input type="time" name="start" value=${start} required onInput=${(e) => setStart(e.target.value)} /></label>
          <label>${t('set.hEnd')}<input type="time" name="end" value=${end} required onInput=${(e) => setEnd(e.target.value)} /></label>
        </div>
      </fieldset>
      <${Status} text=${err} error />
      <${Status} text=${msg} />
      <button class="primary" type="submit">${t('set.save')}</button>
    </form>
  </section>`;
}

function Prefs() {
  const [prefs, setPrefs] = useState(null);
  const [msg, setMsg] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    request('notification.prefs.get', {}).then((r) => setPrefs(r.preferences), (e) => setErr(errorText(e)));
  }, []);
  if (!prefs) return html`<section class="card set-card"><h2>${t('set.ntf')}</h2><${Status} text=${err} error />
    ${!err && html`<p class="muted">${t('common.loading')}</p>`}</section>`;
  const quiet = prefs.quietHours;
  const save = async (e) => {
    e.preventDefault();
    setMsg(null); setErr(null);
    const data = { kinds: prefs.kinds, push: prefs.push, quietHours: quiet ? { start: quiet.start, end: quiet.end } : { off: true } };
    try {
      const r = await request('notification.prefs.set', data);
      setPrefs(r.preferences);
      setMsg(t('set.saved'));
    } catch (x) { setErr(errorText(x)); }
  };
  return html`<section class="card set-card" aria-labelledby="set-ntf">
    <h2 id="set-ntf">${t('set.ntf')}</h2>
    <form onSubmit=${save} data-testid="set-prefs">
      <fieldset>
        <legend>${t('set.kinds')}</legend>
        <div class="kinds">
          ${KINDS.map((k) => html`<label class="check"><input type="checkbox" name=${'kind-' + k} checked=${prefs.kinds[k] !== false}
            onChange=${(e) => setPrefs({ ...prefs, kinds: { ...prefs.kinds, [k]: e.target.checked } })} /> ${t('kind.' + k)}</label>`)}
        </div>
        <p class="hint">${t('set.channelsHint')}</p>
      </fieldset>
      <label>${t('set.push')}
        <select name="push" onChange=${(e) => setPrefs({ ...prefs, push: e.target.value })}>
          ${['offline', 'always', 'never'].map((p) => html`<option value=${p} selected=${prefs.push === p}>${t('set.push.' + p)}</option>`)}
        </select></label>
      <fieldset>
        <legend>${t('set.quiet')}</legend>
        <label class="check"><input type="checkbox" name="quiet" checked=${!!quiet}
          onChange=${(e) => setPrefs({ ...prefs, quietHours: e.target.checked ? { start: '22:00', end: '07:00' } : undefined })} /> ${t('set.quietOn')}</label>
        ${quiet && html`<div class="row">
          <label>${t('set.quietFrom')}<input type="time" name="quietStart" value=${quiet.start} required
            onInput=${(e) => setPrefs({ ...prefs, quietHours: { ...quiet, start: e.target.value } })} /></label>
          <label>${t('set.quietTo')}<input type="time" name="quietEnd" value=${quiet.end} required
            onInput=${(e) => setPrefs({ ...prefs, quietHours: { ...quiet, end: e.target.value } })} /></label>
        </div>`}
      </fieldset>
      <${Status} text=${err} error />
      <${Status} text=${msg} />
      <button class="primary" type="submit">${t('set.save')}</button>
    </form>
  </section>`;
}

function BrowserNotifications() {
  const [state, setState] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { push.currentState().then(setState); }, []);
  const run = async (fn) => {
    setBusy(true);
    setState(await fn());
    setBusy(false);
  };
  let text = '';
  if (state) {
    if (state.state === 'local-only') text = t('set.bn.localOnly', { reason: state.reason || '—' });
    else text = t('set.bn.' + state.state);
  }
  return html`<section class="card set-card" aria-labelledby="set-bn">
    <h2 id="set-bn">${t('set.browser')}</h2>
    <p class="hint">${t('set.browserLead')}</p>
    ${state && html`<p class=${'bn-state bn-' + state.state} role="status" data-testid="bn-state" data-state=${state.state}>${text}</p>`}
    ${state && (state.state === 'default') && html`<button type="button" class="primary" disabled=${busy}
      onClick=${() => run(push.enable)}>${busy ? t('set.bn.working') : t('set.bn.enable')}</button>`}
    ${state && state.state === 'local-only' && html`<button type="button" class="secondary" disabled=${busy}
      onClick=${() => run(push.enable)}>${busy ? t('set.bn.working') : t('set.bn.retry')}</button>`}
    ${state && state.state === 'enabled' && html`<button type="button" class="secondary" disabled=${busy}
      onClick=${() => run(push.disable)}>${busy ? t('set.bn.working') : t('set.bn.disable')}</button>`}
  </section>`;
}

export default function Settings() {
  const { user } = useMe();
  return html`<section class="settings" aria-labelledby="set-h">
    <h1 id="set-h">${t('set.title')}</h1>
    ${user ? html`<${Profile} key=${user.id} user=${user} />` : html`<p class="muted">${t('common.loading')}</p>`}
    <${Prefs} />
    <${BrowserNotifications} />
  </section>`;
}
