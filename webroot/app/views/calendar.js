// The calendar (docs/PROTOCOL.md section 22).
//   #/calendar[?view=agenda|week&d=YYYY-MM-DD&cal=<calendarId>]   agenda (30 days) or week, in the user's zone
//   #/calendar?new=1[&start=…&end=…&people=a,b]                    the event form
//   #/e/<eventId>[?r=<recurrenceId>][&edit=1]                       one event: details, RSVP, edit, cancel
// Times are shown in the user's zone (the server gives startViewer for the zone asked); when an event's own zone
// differs, its local time there is shown too. Live: event.created / updated / cancelled and rsvp.changed reload.
import { html, useEffect, useRef, useState } from '../lib/ui.js';
import { t, fmtDateTime, fmt, zone, locale } from '../lib/i18n.js';
import { request, on } from '../lib/api.js';
import { route, href, navigate } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { errorText } from '../lib/errors.js';
import {
  useMe, ensurePeople, people, Name, PeoplePicker, Status, ZoneSelect,
  today, addDays, mondayOf, fmtPlainDate, weekdays, partsIn,
} from '../screens/common.js';

const AGENDA_DAYS = 30;
/** A time of day in the language's own style (13:00, 1:00 PM), in the user's zone or opts.timeZone. */
const fmtTime = (v, opts) => fmt(v, { timeStyle: 'short', ...opts });
const CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

// ---- Recurrence: the simple picker ⇄ RRULE ----------------------------------------------------------------------

/** {rep: none|daily|weekly|monthly|custom, days: ['MO'], ends: never|until|count, until: 'YYYY-MM-DD', count, raw} */
export function parseRule(rrule, evZone, startDate) {
  const base = { rep: 'none', days: [CODES[(startDate ? isoDayOf(startDate) : 1) - 1]], ends: 'never', until: '', count: 10, raw: rrule || '' };
  if (!rrule) return base;
  const parts = Object.fromEntries(rrule.replace(/^RRULE:/i, '').split(';').filter(Boolean).map((p) => p.split('=')));
  const simple = ['DAILY', 'WEEKLY', 'MONTHLY'].includes(parts.FREQ)
    && Object.keys(parts).every((k) => ['FREQ', 'BYDAY', 'UNTIL', 'COUNT'].includes(k))
    && (!parts.BYDAY || (parts.FREQ === 'WEEKLY' && parts.BYDAY.split(',').every((d) => CODES.includes(d))));
  if (!simple) return { ...base, rep: 'custom' };
  const r = { ...base, rep: parts.FREQ.toLowerCase() };
  if (parts.BYDAY) r.days = parts.BYDAY.split(',');
  if (parts.COUNT) { r.ends = 'count'; r.count = +parts.COUNT; }
  if (parts.UNTIL) {
    r.ends = 'until';
    const u = parts.UNTIL;
    if (/^\d{8}T\d{6}Z$/.test(u)) {
      const iso = `${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}T${u.slice(9, 11)}:${u.slice(11, 13)}:${u.slice(13, 15)}Z`;
      r.until = partsIn(iso, evZone || zone()).date;
    } else {
      r.until = `${u.slice(0, 4)}-${u.slice(4, 6)}-${u.slice(6, 8)}`;
    }
  }
  return r;
}

export function buildRule(r) {
  if (r.rep === 'none') return '';
  if (r.rep === 'custom') return r.raw;
  let s = 'FREQ=' + r.rep.toUpperCase();
  if (r.rep === 'weekly' && r.days.length) s += ';BYDAY=' + CODES.filter((c) => r.days.includes(c)).join(',');
  if (r.ends === 'until' && r.until) s += ';UNTIL=' + r.until.replace(/-/g, '');
  if (r.ends === 'count' && r.count > 0) s += ';COUNT=' + Math.min(1000, Math.floor(r.count));
  return s;
}

function isoDayOf(date) {
  const [y, m, d] = date.split('-').map(Number);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

function RepeatPicker({ value, onChange, startDate }) {
  const set = (patch) => onChange({ ...value, ...patch });
  const days = weekdays();
  return html`<fieldset class="repeat" data-testid="repeat">
    <legend>${t('ev.repeat')}</legend>
    <select name="rep" aria-label=${t('ev.repeat')} onChange=${(e) => set(e.target.value === 'weekly' && startDate
      ? { rep: 'weekly', days: [CODES[isoDayOf(startDate) - 1]] } : { rep: e.target.value })}>
      <option value="none" selected=${value.rep === 'none'}>${t('ev.rep.none')}</option>
      <option value="daily" selected=${value.rep === 'daily'}>${t('ev.rep.daily')}</option>
      <option value="weekly" selected=${value.rep === 'weekly'}>${t('ev.rep.weekly')}</option>
      <option value="monthly" selected=${value.rep === 'monthly'}>${t('ev.rep.monthly')}</option>
      ${value.raw && parseRule(value.raw).rep === 'custom' && html`<option value="custom" selected=${value.rep === 'custom'}>${t('ev.rep.custom', { rule: value.raw })}</option>`}
    </select>
    ${value.rep === 'weekly' && html`<div class="days" role="group" aria-label=${t('ev.rep.days')}>
      ${days.map((d) => html`<label class="check"><input type="checkbox" name=${'day-' + CODES[d.n - 1]}
        checked=${value.days.includes(CODES[d.n - 1])}
        onChange=${(e) => set({ days: e.target.checked ? [...value.days, CODES[d.n - 1]] : value.days.filter((x) => x !== CODES[d.n - 1]) })} />
        <span title=${d.long}>${d.short}</span></label>`)}
    </div>`}
    ${value.rep !== 'none' && value.rep !== 'custom' && html`<div class="row">
      <label>${t('ev.rep.ends')}
        <select name="ends" onChange=${(e) => set({ ends: e.target.value, until: value.until || addDays(startDate || today(), 90) })}>
          <option value="never" selected=${value.ends === 'never'}>${t('ev.rep.never')}</option>
          <option value="until" selected=${value.ends === 'until'}>${t('ev.rep.until')}</option>
          <option value="count" selected=${value.ends === 'count'}>${t('ev.rep.count')}</option>
        </select></label>
      ${value.ends === 'until' && html`<label>${t('ev.rep.untilDate')}<input type="date" name="until" value=${value.until} required
        onInput=${(e) => set({ until: e.target.value })} /></label>`}
      ${value.ends === 'count' && html`<label>${t('ev.rep.countN')}<input type="number" name="count" min="1" max="1000" value=${value.count} required
        onInput=${(e) => set({ count: +e.target.value })} /></label>`}
    </div>`}
  </fieldset>`;
}

// ---- Shared pieces -----------------------------------------------------------------------------------------------

function useCalendars() {
  const [cals, setCals] = useState(null);
  useEffect(() => { request('calendar.list', {}).then((r) => setCals(r.calendars), () => setCals([])); }, []);
  return cals;
}

function calName(c) {
  if (!c) return '';
  if (c.name) return c.name;
  return c.kind === 'channel' ? t('cal.channelCalendar') : t('cal.kind.' + c.kind);
}

/** "14:00 – 15:00", or "All day"; with the event's own zone when it differs from the viewer's. */
function OccTime({ o }) {
  if (o.allDay) return html`<span class="occ-time">${t('cal.allDay')}</span>`;
  const mine = zone();
  return html`<span class="occ-time">
    <time datetime=${o.startUtc}>${fmtTime(o.startUtc)}</time> – <time datetime=${o.endUtc}>${fmtTime(o.endUtc)}</time>
    ${o.zone !== mine && html` <span class="zone-note" data-testid="zone-note">(${t('cal.zoneNote', {
      time: `${fmtTime(o.startUtc, { timeZone: o.zone })} – ${fmtTime(o.endUtc, { timeZone: o.zone })}`, zone: o.zone })})</span>`}
  </span>`;
}

function occHref(o) {
  return href(`e/${o.eventId}${o.recurrenceId ? '?r=' + encodeURIComponent(o.recurrenceId) : ''}`);
}

function Occ({ o }) {
  return html`<li class=${'occ ' + (o.status || '')} data-testid="occ">
    <a href=${occHref(o)}>
      <${OccTime} o=${o} />
      <span class="occ-title">${o.title}</span>
      ${o.status === 'cancelled' && html` <span class="tag">${t('cal.cancelled')}</span>`}
      ${o.status === 'tentative' && html` <span class="tag">${t('cal.tentative')}</span>`}
      ${o.recurring && html` <span class="tag" title=${t('cal.recurring')} aria-label=${t('cal.recurring')}>↻</span>`}
      ${o.location && html`<span class="occ-where muted">${o.location}</span>`}
    </a>
  </li>`;
}

/** Occurrences grouped by the viewer's local date, for each date of [from, to]. */
function byDay(occurrences, from, to) {
  const days = new Map();
  for (let d = from; d <= to; d = addDays(d, 1)) days.set(d, []);
  for (const o of occurrences) {
    if (o.allDay) {
      for (let d = o.start; d < o.end; d = addDays(d, 1)) if (days.has(d)) days.get(d).push(o);
    } else {
      const d = (o.startViewer || '').slice(0, 10);
      if (days.has(d)) days.get(d).push(o);
    }
  }
  for (const list of days.values()) list.sort((a, b) => (a.allDay === b.allDay ? String(a.startUtc).localeCompare(String(b.startUtc)) : a.allDay ? -1 : 1));
  return days;
}

// ---- The calendar screen -----------------------------------------------------------------------------------------

function FeedLink() {
  const [url, setUrl] = useState(null);
  const [msg, setMsg] = useState(null);
  const [err, setErr] = useState(null);
  const input = useRef(null);
  const get = async () => {
    setMsg(null); setErr(null);
    try {
      const r = await request('calendar.feed', {});
      const abs = location.origin + r.url;
      setUrl(abs);
      try {
        await navigator.clipboard.writeText(abs);
        setMsg(t('cal.copied'));
      } catch (e) {
        setMsg(t('cal.copyManual'));
        setTimeout(() => { if (input.current) { input.current.focus(); input.current.select(); } }, 0);
      }
    } catch (e) { setErr(errorText(e)); }
  };
  return html`<div class="feed">
    <button type="button" class="secondary" onClick=${get} data-testid="feed-btn">${t('cal.subscribe')}</button>
    ${url && html`<div class="card feed-box" role="region" aria-label=${t('cal.feedTitle')}>
      <p class="hint">${t('cal.feedLead')}</p>
      <label>${t('cal.feedUrl')}<input ref=${input} type="text" readonly value=${url} data-testid="feed-url"
        onFocus=${(e) => e.target.select()} /></label>
    </div>`}
    <${Status} text=${msg} /><${Status} text=${err} error />
  </div>`;
}

function FindTime({ user, onClose }) {
  const [ids, setIds] = useState([]);
  const [withMe, setWithMe] = useState(true);
  const [duration, setDuration] = useState(60);
  const [from, setFrom] = useState(addDays(today(), 1));
  const [to, setTo] = useState(addDays(today(), 7));
  const [result, setResult] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const all = useStore(people);
  const search = async (e) => {
    e.preventDefault();
    const attendeeIds = [...new Set([...(withMe ? [user.id] : []), ...ids])];
    if (!attendeeIds.length) { setErr(t('ft.needPeople')); return; }
    setErr(null); setBusy(true);
    try {
      const r = await request('schedule.suggest', { attendeeIds, durationMinutes: +duration, from, to, zone: zone(), limit: 6 });
      ensurePeople(r.slots.flatMap((s) => s.attendees.map((a) => a.userId)));
      setResult(r);
    } catch (x) { setErr(errorText(x)); }
    setBusy(false);
  };
  const use = (s) => {
    const q = new URLSearchParams({ new: '1', start: s.start.slice(0, 16), end: s.end.slice(0, 16), people: ids.join(',') });
    navigate('calendar?' + q.toString());
    onClose();
  };
  return html`<section class="card find-time" aria-labelledby="ft-h" data-testid="find-time">
    <h2 id="ft-h">${t('ft.title')}</h2>
    <p class="hint">${t('ft.lead')}</p>
    <form onSubmit=${search}>
      <${PeoplePicker} label=${t('ft.people')} value=${ids} onChange=${setIds} testid="ft-people" />
      <label class="check"><input type="checkbox" checked=${withMe} onChange=${(e) => setWithMe(e.target.checked)} /> ${t('ft.includeMe')}</label>
      <div class="row">
        <label>${t('ft.duration')}<input type="number" min="5" max="720" step="5" value=${duration} onInput=${(e) => setDuration(e.target.value)} /></label>
        <label>${t('ft.from')}<input type="date" value=${from} onInput=${(e) => setFrom(e.target.value)} required /></label>
        <label>${t('ft.to')}<input type="date" value=${to} onInput=${(e) => setTo(e.target.value)} required /></label>
      </div>
      <${Status} text=${err} error />
      <div class="actions">
        <button class="primary" type="submit" disabled=${busy}>${t('ft.search')}</button>
        <button class="secondary" type="button" onClick=${onClose}>${t('common.close')}</button>
      </div>
    </form>
    ${result && result.slots.length === 0 && html`<p role="status">${t('ft.none')} ${t('ft.reason.' + result.reasonCode)}</p>`}
    ${result && result.slots.length > 0 && html`<ol class="slots" data-testid="slots">
      ${result.slots.map((s) => html`<li>
        <strong>${fmtDateTime(s.startUtc, { dateStyle: 'full', timeStyle: 'short' })} – ${fmtTime(s.endUtc)}</strong>
        <ul class="slot-people">${s.attendees.map((a) => html`<li>${t('ft.theirTime', {
          name: all[a.userId] ? all[a.userId].displayName : '…',
          time: `${fmtTime(a.start, { timeZone: a.zone })} (${a.zone})` })}</li>`)}</ul>
        <button type="button" class="link" onClick=${() => use(s)}>${t('ft.use')}</button>
      </li>`)}
    </ol>`}
  </section>`;
}

function CalendarScreen({ params }) {
  const { user } = useMe();
  const lang = useStore(locale, (l) => l.lang + l.zone);
  const view = params.view === 'week' ? 'week' : 'agenda';
  const anchor = /^\d{4}-\d{2}-\d{2}$/.test(params.d || '') ? params.d : today();
  const from = view === 'week' ? mondayOf(anchor) : anchor;
  const to = view === 'week' ? addDays(from, 6) : addDays(from, AGENDA_DAYS - 1);
  const calId = params.cal || '';
  const cals = useCalendars();
  const [data, setData] = useState(null);
  const [err, setErr] = useState(null);
  const [finding, setFinding] = useState(false);
  const timer = useRef(null);

  const load = async () => {
    try {
      const req = { from, to, zone: zone() };
      if (calId) req.calendarId = calId;
      const r = await request('event.list', req);
      setData({ key: from + to + calId, ...r });
      setErr(null);
    } catch (e) { setErr(errorText(e)); }
  };
  useEffect(() => { load(); }, [from, to, calId, lang]);
  useEffect(() => {
    const later = () => { clearTimeout(timer.current); timer.current = setTimeout(load, 250); };
    const offs = ['event.created', 'event.updated', 'event.cancelled', 'rsvp.changed', 'ready'].map((ev) => on(ev, later));
    return () => { offs.forEach((f) => f()); clearTimeout(timer.current); };
  }, [from, to, calId]);

  const link = (patch) => {
    const q = new URLSearchParams({ view, d: anchor, ...(calId ? { cal: calId } : {}), ...patch });
    return href('calendar?' + q.toString());
  };
  const step = view === 'week' ? 7 : AGENDA_DAYS;
  const days = data ? byDay(data.occurrences, from, to) : null;
  const title = view === 'week'
    ? t('cal.weekOf', { date: fmtPlainDate(from, { day: 'numeric', month: 'long', year: 'numeric' }) })
    : t('cal.agendaFrom', { from: fmtPlainDate(from, { day: 'numeric', month: 'long' }), to: fmtPlainDate(to, { day: 'numeric', month: 'long', year: 'numeric' }) });

  return html`<section class="calendar" aria-labelledby="cal-h">
    <div class="screen-head">
      <h1 id="cal-h">${t('cal.title')}</h1>
      <div class="actions">
        <a class="button primary" href=${href('calendar?new=1' + (params.d ? '&d=' + params.d : ''))} data-testid="new-event">${t('cal.new')}</a>
        <button type="button" class="secondary" aria-expanded=${finding} onClick=${() => setFinding(!finding)}>${t('cal.findTime')}</button>
        <${FeedLink} />
      </div>
    </div>
    ${finding && user && html`<${FindTime} user=${user} onClose=${() => setFinding(false)} />`}
    <div class="toolbar">
      <div class="seg" role="group" aria-label=${t('cal.view')}>
        <a href=${link({ view: 'agenda' })} aria-current=${view === 'agenda' ? 'true' : undefined} data-testid="view-agenda">${t('cal.agenda')}</a>
        <a href=${link({ view: 'week' })} aria-current=${view === 'week' ? 'true' : undefined} data-testid="view-week">${t('cal.week')}</a>
      </div>
      <div class="seg">
        <a href=${link({ d: addDays(anchor, -step) })} aria-label=${t('cal.prev')}>‹</a>
        <a href=${link({ d: today() })}>${t('cal.today')}</a>
        <a href=${link({ d: addDays(anchor, step) })} aria-label=${t('cal.next')}>›</a>
      </div>
      <label class="inline">${t('cal.calendar')}
        <select onChange=${(e) => navigate('calendar?' + new URLSearchParams({ view, d: anchor, ...(e.target.value ? { cal: e.target.value } : {}) }))}>
          <option value="" selected=${!calId}>${t('cal.allCalendars')}</option>
          ${(cals || []).map((c) => html`<option value=${c.id} selected=${c.id === calId}>${calName(c)}</option>`)}
        </select></label>
    </div>
    <h2 class="period" data-testid="period">${title}</h2>
    <p class="hint">${t('cal.yourZone', { zone: zone() })}</p>
    <${Status} text=${err} error />
    ${data && data.truncated && html`<p class="hint">${t('cal.truncated')}</p>`}
    ${!days && !err && html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`}
    ${days && view === 'agenda' && html`<div class="agenda" data-testid="agenda">
      ${[...days.entries()].filter(([, list]) => list.length).length === 0 && html`<p class="muted">${t('cal.noEvents')}</p>`}
      ${[...days.entries()].filter(([, list]) => list.length).map(([d, list]) => html`<section class="agenda-day" aria-label=${fmtPlainDate(d)}>
        <h3 class=${d === today() ? 'is-today' : ''}>${fmtPlainDate(d)}</h3>
        <ul role="list">${list.map((o) => html`<${Occ} key=${o.eventId + (o.recurrenceId || '')} o=${o} />`)}</ul>
      </section>`)}
    </div>`}
    ${days && view === 'week' && html`<div class="week" data-testid="week">
      ${[...days.entries()].map(([d, list]) => html`<section class=${'week-day' + (d === today() ? ' is-today' : '')} aria-label=${fmtPlainDate(d)}>
        <h3 data-testid="week-day">${fmtPlainDate(d, { weekday: 'long', day: 'numeric', month: 'long' })}</h3>
        ${list.length ? html`<ul role="list">${list.map((o) => html`<${Occ} key=${o.eventId + (o.recurrenceId || '')} o=${o} />`)}</ul>`
          : html`<p class="muted empty-day">—</p>`}
      </section>`)}
    </div>`}
  </section>`;
}

// ---- The event form ----------------------------------------------------------------------------------------------

function nextHour() {
  const p = partsIn(Date.now() + 3600_000);
  return `${p.date}T${String(p.h).padStart(2, '0')}:00`;
}

function EventForm({ event, params, onDone }) {
  const { user } = useMe();
  const cals = useCalendars();
  const myZone = (user && user.timeZone) || zone();
  const init = () => {
    if (event) {
      return {
        title: event.title, calendarId: event.calendarId, allDay: event.allDay, zone: event.zone,
        start: event.allDay ? event.start : event.start.slice(0, 16),
        end: event.allDay ? addDays(event.end, -1) : event.end.slice(0, 16),
        location: event.location, onlineUrl: event.onlineUrl, description: event.description,
        attendeeIds: event.attendeeIds || [], rule: parseRule(event.rrule, event.zone, event.start.slice(0, 10)),
      };
    }
    let start = params.start || (params.d && params.d !== today() ? params.d + 'T09:00' : nextHour());
    const end = params.end || (() => {
      const [dt, tm] = start.split('T');
      const h = Math.min(23, +tm.slice(0, 2) + 1);
      return `${dt}T${String(h).padStart(2, '0')}:${h === 23 && +tm.slice(0, 2) === 23 ? '59' : tm.slice(3, 5)}`;
    })();
    return {
      title: '', calendarId: params.cal || '', allDay: false, zone: myZone, start, end, location: '', onlineUrl: '', description: '',
      attendeeIds: params.people ? params.people.split(',').filter(Boolean) : [], rule: parseRule('', myZone, start.slice(0, 10)),
    };
  };
  const [f, setF] = useState(init);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (patch) => setF((old) => ({ ...old, ...patch }));
  const initialRule = useRef(buildRule(f.rule));
  const initialShape = useRef(JSON.stringify([f.start, f.end, f.zone, f.allDay]));

  const toggleAllDay = (on) => set(on
    ? { allDay: true, start: f.start.slice(0, 10), end: f.end.slice(0, 10) }
    : { allDay: false, start: f.start.slice(0, 10) + 'T09:00', end: f.end.slice(0, 10) + 'T10:00' });

  const submit = async (e) => {
    e.preventDefault();
    setErr(null); setBusy(true);
    const data = {
      title: f.title.trim(), location: f.location.trim(), onlineUrl: f.onlineUrl.trim(), description: f.description,
      attendeeIds: f.attendeeIds,
    };
    const shape = JSON.stringify([f.start, f.end, f.zone, f.allDay]);
    if (!event || shape !== initialShape.current) {
      Object.assign(data, { allDay: f.allDay, zone: f.zone, start: f.start, end: f.allDay ? addDays(f.end, 1) : f.end });
    }
    const rule = buildRule(f.rule);
    if (!event ? rule : rule !== initialRule.current) data.rrule = rule;
    try {
      let r;
      if (event) r = await request('event.update', { eventId: event.id, scope: 'all', ...data });
      else {
        if (f.calendarId) data.calendarId = f.calendarId;
        r = await request('event.create', data);
      }
      onDone(r.event);
    } catch (x) { setErr(errorText(x)); setBusy(false); }
  };
  const writable = (cals || []).filter((c) => c.access === 'write');
  return html`<form class="card event-form" onSubmit=${submit} aria-labelledby="ev-form-h" data-testid="event-form">
    <h1 id="ev-form-h">${event ? t('ev.editTitle') : t('ev.newTitle')}</h1>
    <label>${t('ev.title')}<input name="title" required maxlength="200" value=${f.title} onInput=${(e) => set({ title: e.target.value })} /></label>
    ${!event && html`<label>${t('cal.calendar')}
      <select name="calendarId" onChange=${(e) => set({ calendarId: e.target.value })}>
        ${writable.map((c) => html`<option value=${c.kind === 'personal' ? '' : c.id} selected=${(c.kind === 'personal' && !f.calendarId) || c.id === f.calendarId}>${calName(c)}</option>`)}
      </select></label>`}
    <label class="check"><input type="checkbox" name="allDay" checked=${f.allDay} onChange=${(e) => toggleAllDay(e.target.checked)} /> ${t('ev.allDay')}</label>
    <div class="row">
      <label>${f.allDay ? t('ev.startDate') : t('ev.start')}<input name="start" type=${f.allDay ? 'date' : 'datetime-local'} required value=${f.start}
        onInput=${(e) => set({ start: e.target.value })} /></label>
      <label>${f.allDay ? t('ev.endDate') : t('ev.end')}<input name="end" type=${f.allDay ? 'date' : 'datetime-local'} required value=${f.end}
        onInput=${(e) => set({ end: e.target.value })} /></label>
    </div>
    <${ZoneSelect} name="zone" label=${t('ev.zone')} value=${f.zone} onChange=${(z) => set({ zone: z })} />
    <${RepeatPicker} value=${f.rule} startDate=${f.start.slice(0, 10)} onChange=${(rule) => set({ rule })} />
    <${PeoplePicker} label=${t('ev.attendees')} value=${f.attendeeIds} onChange=${(ids) => set({ attendeeIds: ids })} testid="attendees" />
    <label>${t('ev.location')}<input name="location" maxlength="500" value=${f.location} onInput=${(e) => set({ location: e.target.value })} /></label>
    <label>${t('ev.onlineUrl')}<input name="onlineUrl" type="url" pattern="https://.*" maxlength="2000" value=${f.onlineUrl}
      onInput=${(e) => set({ onlineUrl: e.target.value })} /></label>
    <label>${t('ev.description')}<textarea name="description" rows="4" maxlength="8000" value=${f.description}
      onInput=${(e) => set({ description: e.target.value })}></textarea></label>
    <${Status} text=${err} error />
    <div class="actions">
      <button class="primary" type="submit" disabled=${busy}>${event ? t('ev.save') : t('ev.create')}</button>
      <a class="button secondary" href=${event ? href('e/' + event.id) : href('calendar')}>${t('common.cancel')}</a>
    </div>
  </form>`;
}

// ---- One event ---------------------------------------------------------------------------------------------------

function Rsvp({ ev, onChanged }) {
  const mine = ev.rsvp && ev.rsvp.mine;
  const [comment, setComment] = useState((mine && mine.comment) || '');
  const [err, setErr] = useState(null);
  if (!mine || ev.status === 'cancelled') return null;
  const answer = async (status) => {
    setErr(null);
    try {
      const data = { eventId: ev.id, status };
      if (comment.trim()) data.comment = comment.trim();
      const r = await request('event.rsvp', data);
      onChanged({ ...ev, rsvp: { ...ev.rsvp, mine: r.rsvp, counts: r.counts } });
    } catch (x) { setErr(errorText(x)); }
  };
  return html`<section class="rsvp" aria-labelledby="rsvp-h" data-testid="rsvp">
    <h2 id="rsvp-h">${t('ev.rsvp')}</h2>
    ${mine.reasked && html`<p class="warn">${t('ev.rsvp.reasked')}</p>`}
    <p data-testid="rsvp-mine">${t('ev.rsvp.mine', { status: t('ev.rsvp.' + mine.status) })}</p>
    <label>${t('ev.rsvp.comment')}<input maxlength="500" value=${comment} onInput=${(e) => setComment(e.target.value)} /></label>
    <div class="actions" role="group" aria-label=${t('ev.rsvp')}>
      ${['accepted', 'tentative', 'declined'].map((s) => html`<button type="button" class=${mine.status === s ? 'primary' : 'secondary'}
        aria-pressed=${mine.status === s} data-status=${s} onClick=${() => answer(s)}>${t('ev.rsvp.' + s)}</button>`)}
    </div>
    <${Status} text=${err} error />
  </section>`;
}

function EventScreen({ id, params }) {
  const { user } = useMe();
  useStore(locale);
  const [data, setData] = useState(null);
  const [err, setErr] = useState(null);
  const load = () => request('event.get', { eventId: id }).then((r) => {
    setData(r);
    setErr(null);
    ensurePeople([r.event.organizerId, ...(r.event.attendeeIds || []), ...((r.event.rsvp && r.event.rsvp.answers) || []).map((a) => a.userId)]);
  }, (e) => setErr(errorText(e)));
  useEffect(() => { setData(null); load(); }, [id]);
  useEffect(() => {
    const mine = (d) => (d.eventId || (d.event && d.event.id)) === id && load();
    const offs = ['event.updated', 'event.cancelled', 'rsvp.changed', 'ready'].map((ev) => on(ev, (d) => (ev === 'ready' ? load() : mine(d))));
    return () => offs.forEach((f) => f());
  }, [id]);

  if (err) return html`<section><h1>${t('cal.title')}</h1><${Status} text=${err} error /><a href=${href('calendar')}>${t('ev.back')}</a></section>`;
  if (!data) return html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`;
  const ev = data.event;
  if (params.edit && data.canEdit && ev.status !== 'cancelled') {
    return html`<${EventForm} event=${ev} params=${params} onDone=${() => navigate('e/' + id)} />`;
  }
  // The occurrence shown: from the route (?r=recurrenceId) when it is one of a series, else the first.
  let startUtc = ev.startUtc;
  let endUtc = ev.endUtc;
  const r = params.r;
  if (r && !ev.allDay && ev.rrule) {
    const ov = (ev.overrides || []).find((o) => o.recurrenceId.slice(0, 16) === r.slice(0, 16));
    const localStart = ov ? ov.start : r;
    // Same length as the series; the UTC instant comes from the local time in the event's zone.
    const shift = Date.parse(ev.endUtc) - Date.parse(ev.startUtc);
    startUtc = zonedToUtc(localStart.slice(0, 16), ev.zone);
    endUtc = ov ? zonedToUtc(ov.end.slice(0, 16), ev.zone) : new Date(Date.parse(startUtc) + shift).toISOString();
  }
  const counts = ev.rsvp && ev.rsvp.counts;
  const cancel = async (scope) => {
    if (!confirm(t('ev.cancelConfirm'))) return;
    try {
      const data2 = { eventId: id, scope };
      if (scope === 'this') data2.recurrenceId = r;
      await request('event.cancel', data2);
      if (scope === 'this') navigate('calendar'); else load();
    } catch (x) { setErr(errorText(x)); }
  };
  const myZone = zone();
  return html`<article class="event-detail" aria-labelledby="ev-h" data-testid="event-detail">
    <p><a href=${href('calendar')}>← ${t('ev.back')}</a></p>
    <h1 id="ev-h">${ev.title}</h1>
    ${ev.status === 'cancelled' && html`<p class="warn" role="status">${t('ev.isCancelled')}</p>`}
    <dl class="facts">
      <dt>${t('ev.when')}</dt>
      <dd data-testid="ev-when">${ev.allDay
        ? `${fmtPlainDate(ev.start)}${addDays(ev.start, 1) !== ev.end ? ' – ' + fmtPlainDate(addDays(ev.end, -1)) : ''}`
        : html`<time datetime=${startUtc}>${fmtDateTime(startUtc, { dateStyle: 'full', timeStyle: 'short' })}</time> – <time datetime=${endUtc}>${fmtTime(endUtc)}</time>
          <span class="muted"> (${myZone})</span>
          ${ev.zone !== myZone && html`<br /><span class="zone-note" data-testid="ev-zone-note">${t('cal.zoneNote', {
            time: `${fmt(startUtc, { timeZone: ev.zone, dateStyle: 'medium', timeStyle: 'short' })} – ${fmtTime(endUtc, { timeZone: ev.zone })}`, zone: ev.zone })}</span>`}`}
        ${ev.rrule && html`<br /><span class="muted">${t('cal.repeatsRule', { rule: describeRule(ev) })}</span>`}
      </dd>
      ${ev.location && html`<dt>${t('ev.where')}</dt><dd>${ev.location}</dd>`}
      ${ev.onlineUrl && html`<dt>${t('ev.join')}</dt><dd><a href=${ev.onlineUrl} rel="noopener noreferrer" target="_blank">${ev.onlineUrl}</a></dd>`}
      <dt>${t('ev.organiser')}</dt><dd><${Name} id=${ev.organizerId} /></dd>
      ${ev.attendeeIds && ev.attendeeIds.length > 0 && html`<dt>${t('ev.attendees')}</dt>
        <dd><ul role="list" class="inline-list">${ev.attendeeIds.map((a) => html`<li><${Name} id=${a} /></li>`)}</ul></dd>`}
      ${counts && html`<dt>${t('ev.answers')}</dt><dd data-testid="ev-counts">${t('ev.counts', counts)}</dd>`}
    </dl>
    ${ev.description && html`<p class="description">${ev.description}</p>`}
    <${Rsvp} ev=${ev} onChanged=${(e2) => setData({ ...data, event: e2 })} />
    ${ev.rsvp && ev.rsvp.answers && ev.rsvp.answers.length > 0 && html`<section aria-labelledby="answers-h">
      <h2 id="answers-h">${t('ev.answers')}</h2>
      <ul role="list" class="answers" data-testid="answers">
        ${ev.rsvp.answers.map((a) => html`<li data-status=${a.status}><${Name} id=${a.userId} /> — ${t('ev.status.' + a.status)}${a.comment ? ` · “${a.comment}”` : ''}</li>`)}
      </ul>
    </section>`}
    ${data.canEdit && ev.status !== 'cancelled' && html`<div class="actions">
      <a class="button secondary" href=${href(`e/${id}?edit=1`)}>${t('ev.edit')}</a>
      ${r && ev.rrule && html`<button type="button" class="secondary danger" onClick=${() => cancel('this')}>${t('ev.cancelThis')}</button>`}
      <button type="button" class="secondary danger" onClick=${() => cancel('all')}>${t('ev.cancel')}</button>
    </div>`}
  </article>`;
}

function describeRule(ev) {
  const r = parseRule(ev.rrule, ev.zone, ev.start.slice(0, 10));
  if (r.rep === 'custom') return ev.rrule;
  let s = t('ev.rep.' + r.rep);
  if (r.rep === 'weekly') s = s.replace('…', ' ') + weekdays().filter((d) => r.days.includes(CODES[d.n - 1])).map((d) => d.long).join(', ');
  if (r.ends === 'until') s += ' → ' + fmtPlainDate(r.until, { day: 'numeric', month: 'long', year: 'numeric' });
  if (r.ends === 'count') s += ` (×${r.count})`;
  return s;
}

/** A local date-time 'YYYY-MM-DDTHH:mm' in a zone → an ISO instant (two passes for the offset, enough for DST). */
function zonedToUtc(local, z) {
  const [d, tm] = local.split('T');
  const [y, m, day] = d.split('-').map(Number);
  const [h, mi] = tm.split(':').map(Number);
  const want = Date.UTC(y, m - 1, day, h, mi);
  let guess = want;
  for (let i = 0; i < 2; i++) {
    const p = partsIn(guess, z);
    guess += want - Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi);
  }
  return new Date(guess).toISOString();
}

export default function CalendarView({ route: current }) {
  const params = current.params || {};
  if (current.name === 'e' && current.parts[1]) return html`<${EventScreen} key=${current.parts[1]} id=${current.parts[1]} params=${params} />`;
  if (params.new) return html`<${EventForm} params=${params} onDone=${(ev) => navigate('e/' + ev.id)} />`;
  return html`<${CalendarScreen} params=${params} />`;
}
