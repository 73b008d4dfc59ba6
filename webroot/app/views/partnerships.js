// Partnerships (docs/PROTOCOL.md section 23).
//   #/partnerships[?box=incoming|outgoing]   the lists (partnership.list)
//   #/partnerships?new=1                      the request form (org-admins and coordinators)
//   #/partnerships/<id>, #/p/<id>             one request: terms, counter-proposal, actions, trail, conversation
// Live: partnership.updated reloads what is shown. Every transition sends the version shown (conflict → reload).
import { html, useEffect, useState } from '../lib/ui.js';
import { t, fmtDate, fmtDateTime, fmtRelative } from '../lib/i18n.js';
import { request, on } from '../lib/api.js';
import { href, navigate } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { errorText } from '../lib/errors.js';
import { useMe, hasRole, orgs, loadOrgs, OrgName, Name, ensurePeople, Status, fmtPlainDate } from '../screens/common.js';

export const THEMES = ['participation-in-peace-processes', 'mediation', 'early-warning', 'prevention-of-violent-extremism',
  'protection', 'conflict-related-sexual-violence', 'women-human-rights-defenders', 'security-sector-reform',
  'disarmament-demobilisation-reintegration', 'relief-and-recovery', 'national-action-plans', 'climate-and-security',
  'digital-safety', 'capacity-building', 'financing'];

const actor = (user) => hasRole(user, 'org-admin', 'coordinator', 'admin');

function StateBadge({ state }) {
  return html`<span class=${'badge st-' + state} data-testid="pt-state">${t('pt.state.' + state)}</span>`;
}

function JointAction({ ja }) {
  if (!ja || ja.kind === 'none') return html`<span class="muted">—</span>`;
  if (ja.kind === 'dates') {
    return html`<span>${t('pt.jointDates', {
      from: fmtPlainDate(ja.startDate, { day: 'numeric', month: 'long', year: 'numeric' }),
      to: fmtPlainDate(ja.endDate, { day: 'numeric', month: 'long', year: 'numeric' }) })}</span>`;
  }
  return html`<span>${t('pt.jointEvent', { title: ja.title, time: `${ja.start.replace('T', ' ')} – ${ja.end.replace('T', ' ')} (${ja.zone})` })}</span>`;
}

// ---- Lists -------------------------------------------------------------------------------------------------------

function Lists({ params }) {
  const { user } = useMe();
  const box = params.box === 'outgoing' ? 'outgoing' : 'incoming';
  const [items, setItems] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [err, setErr] = useState(null);
  const load = async (more) => {
    try {
      const data = { box, limit: 20 };
      if (more) data.cursor = more;
      const r = await request('partnership.list', data);
      setItems((old) => (more ? [...(old || []), ...r.requests] : r.requests));
      setCursor(r.nextCursor || null);
      setErr(null);
    } catch (e) { setErr(errorText(e)); }
  };
  useEffect(() => { setItems(null); load(); loadOrgs().catch(() => {}); }, [box]);
  useEffect(() => {
    const offs = ['partnership.updated', 'ready'].map((ev) => on(ev, () => load()));
    return () => offs.forEach((f) => f());
  }, [box]);
  return html`<section class="partnerships" aria-labelledby="pt-h">
    <div class="screen-head">
      <h1 id="pt-h">${t('pt.title')}</h1>
      ${actor(user) && html`<a class="button primary" href=${href('partnerships?new=1')} data-testid="pt-new">${t('pt.new')}</a>`}
    </div>
    <div class="toolbar">
      <div class="seg" role="group" aria-label=${t('pt.boxes')}>
        <a href=${href('partnerships?box=incoming')} aria-current=${box === 'incoming' ? 'true' : undefined} data-testid="pt-incoming">${t('pt.incoming')}</a>
        <a href=${href('partnerships?box=outgoing')} aria-current=${box === 'outgoing' ? 'true' : undefined} data-testid="pt-outgoing">${t('pt.outgoing')}</a>
      </div>
    </div>
    <${Status} text=${err} error />
    ${items === null && !err && html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`}
    ${items && items.length === 0 && html`<p class="muted">${t('pt.empty')}</p>`}
    ${items && items.length > 0 && html`<ul role="list" class="pt-list" data-testid="pt-list">
      ${items.map((r) => html`<li key=${r.id}>
        <a href=${href('partnerships/' + r.id)}>
          <span class="pt-org">${box === 'incoming' ? t('pt.from', { org: '' }) : t('pt.to', { org: '' })}<${OrgName} id=${box === 'incoming' ? r.fromOrgId : r.toOrgId} /></span>
          <${StateBadge} state=${r.state} />
          <span class="pt-purpose">${r.purpose}</span>
          <span class="muted"><time datetime=${r.updatedAt} title=${fmtDateTime(r.updatedAt)}>${fmtRelative(r.updatedAt)}</time></span>
        </a>
      </li>`)}
    </ul>`}
    ${cursor && html`<button type="button" class="secondary" onClick=${() => load(cursor)}>${t('pt.more')}</button>`}
  </section>`;
}

// ---- Terms editor (request and counter-proposal) -----------------------------------------------------------------

function PeopleOfOrg({ orgId, value, onChange, label, name }) {
  const [list, setList] = useState(null);
  useEffect(() => {
    if (!orgId) { setList([]); return; }
    request('user.search', { orgId, limit: 100 }).then((r) => setList(r.users.filter((u) => u.status !== 'disabled')), () => setList([]));
  }, [orgId]);
  return html`<fieldset data-testid=${name}>
    <legend>${label}</legend>
    ${list === null && html`<p class="muted">${t('common.loading')}</p>`}
    ${(list || []).map((u) => html`<label class="check"><input type="checkbox" name=${name} value=${u.id} checked=${value.includes(u.id)}
      onChange=${(e) => onChange(e.target.checked ? [...value, u.id] : value.filter((x) => x !== u.id))} /> ${u.displayName}
      ${u.title && html`<span class="muted"> · ${u.title}</span>`}</label>`)}
  </fieldset>`;
}

function Terms({ value, onChange, fromOrgId, toOrgId, fixedFp }) {
  const set = (patch) => onChange({ ...value, ...patch });
  const ja = value.jointAction || { kind: 'none' };
  return html`<div class="terms-edit">
    <label>${t('pt.form.purpose')}<textarea name="purpose" rows="3" maxlength="2000" required value=${value.purpose}
      onInput=${(e) => set({ purpose: e.target.value })}></textarea></label>
    <fieldset class="themes" data-testid="themes">
      <legend>${t('pt.form.themes')}</legend>
      ${THEMES.map((th) => html`<label class="check"><input type="checkbox" name="theme" value=${th} checked=${value.themes.includes(th)}
        onChange=${(e) => set({ themes: e.target.checked ? [...value.themes, th] : value.themes.filter((x) => x !== th) })} /> ${t('theme.' + th)}</label>`)}
    </fieldset>
    <fieldset>
      <legend>${t('pt.form.joint')}</legend>
      <div class="row">
        <label class="check"><input type="radio" name="joint" checked=${ja.kind !== 'dates'} onChange=${() => set({ jointAction: { kind: 'none' } })} /> ${t('pt.form.joint.none')}</label>
        <label class="check"><input type="radio" name="joint" checked=${ja.kind === 'dates'}
          onChange=${() => set({ jointAction: { kind: 'dates', startDate: '', endDate: '' } })} /> ${t('pt.form.joint.dates')}</label>
      </div>
      ${ja.kind === 'dates' && html`<div class="row">
        <label>${t('pt.form.startDate')}<input type="date" name="startDate" required value=${ja.startDate} onInput=${(e) => set({ jointAction: { ...ja, startDate: e.target.value } })} /></label>
        <label>${t('pt.form.endDate')}<input type="date" name="endDate" required value=${ja.endDate} onInput=${(e) => set({ jointAction: { ...ja, endDate: e.target.value } })} /></label>
      </div>`}
    </fieldset>
    ${!fixedFp && html`<${PeopleOfOrg} orgId=${fromOrgId} name="fpFrom" label=${t('pt.form.fpFrom')} value=${value.focalPoints.from}
      onChange=${(from) => set({ focalPoints: { ...value.focalPoints, from } })} />`}
    ${toOrgId && html`<${PeopleOfOrg} orgId=${toOrgId} name="fpTo" label=${t('pt.form.fpTo')} value=${value.focalPoints.to}
      onChange=${(to) => set({ focalPoints: { ...value.focalPoints, to } })} />`}
  </div>`;
}

function termsData(v) {
  const d = { purpose: v.purpose.trim(), themes: v.themes, focalPoints: v.focalPoints };
  if (v.jointAction && v.jointAction.kind === 'dates') d.jointAction = v.jointAction;
  return d;
}

function RequestForm() {
  const { user } = useMe();
  const list = useStore(orgs, (s) => s.list);
  useEffect(() => { loadOrgs().catch(() => {}); }, []);
  const [toOrgId, setTo] = useState('');
  const [terms, setTerms] = useState({ purpose: '', themes: [], jointAction: { kind: 'none' }, focalPoints: { from: user ? [user.id] : [], to: [] } });
  const [note, setNote] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  if (!user) return html`<p class="muted">${t('common.loading')}</p>`;
  if (!actor(user)) return html`<section><h1>${t('pt.form.title')}</h1><p>${t('pt.notAllowed')}</p></section>`;
  const submit = async (e) => {
    e.preventDefault();
    if (!terms.themes.length) { setErr(t('pt.form.needTheme')); return; }
    if (!terms.focalPoints.from.length) { setErr(t('pt.form.needFp')); return; }
    setErr(null); setBusy(true);
    try {
      const data = { toOrgId, ...termsData(terms) };
      if (note.trim()) data.note = note.trim();
      const r = await request('partnership.request', data);
      navigate('partnerships/' + r.request.id);
    } catch (x) { setErr(errorText(x)); setBusy(false); }
  };
  return html`<form class="card pt-form" onSubmit=${submit} aria-labelledby="pt-form-h" data-testid="pt-form">
    <p><a href=${href('partnerships')}>← ${t('pt.back')}</a></p>
    <h1 id="pt-form-h">${t('pt.form.title')}</h1>
    <label>${t('pt.form.to')}
      <select name="toOrgId" required onChange=${(e) => { setTo(e.target.value); setTerms({ ...terms, focalPoints: { ...terms.focalPoints, to: [] } }); }}>
        <option value="" selected=${!toOrgId}>${t('pt.form.choose')}</option>
        ${(list || []).filter((o) => o.id !== user.orgId).map((o) => html`<option value=${o.id} selected=${o.id === toOrgId}>${o.name}</option>`)}
      </select></label>
    <${Terms} value=${terms} onChange=${setTerms} fromOrgId=${user.orgId} toOrgId=${toOrgId} />
    <label>${t('pt.form.note')}<textarea name="note" rows="2" maxlength="1000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
    <${Status} text=${err} error />
    <button class="primary" type="submit" disabled=${busy}>${t('pt.form.send')}</button>
  </form>`;
}

// ---- One request -------------------------------------------------------------------------------------------------

function TermsView({ terms, fromOrgId, toOrgId, testid }) {
  return html`<dl class="facts" data-testid=${testid}>
    <dt>${t('pt.purpose')}</dt><dd class="description">${terms.purpose}</dd>
    <dt>${t('pt.themes')}</dt><dd><ul role="list" class="inline-list">${terms.themes.map((th) => html`<li class="tag">${t('theme.' + th)}</li>`)}</ul></dd>
    <dt>${t('pt.joint')}</dt><dd><${JointAction} ja=${terms.jointAction} /></dd>
    <dt>${t('pt.fpFrom', { org: '' })}<${OrgName} id=${fromOrgId} /></dt>
    <dd><ul role="list" class="inline-list">${(terms.focalPoints.from || []).map((id) => html`<li><${Name} id=${id} /></li>`)}</ul></dd>
    <dt>${t('pt.fpTo', { org: '' })}<${OrgName} id=${toOrgId} /></dt>
    <dd>${(terms.focalPoints.to || []).length ? html`<ul role="list" class="inline-list">${terms.focalPoints.to.map((id) => html`<li><${Name} id=${id} /></li>`)}</ul>` : html`<span class="muted">—</span>`}</dd>
  </dl>`;
}

function Detail({ id }) {
  const { user } = useMe();
  const [req, setReq] = useState(null);
  const [err, setErr] = useState(null);
  const [msg, setMsg] = useState(null);
  const [note, setNote] = useState('');
  const [countering, setCountering] = useState(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const load = () => request('partnership.get', { requestId: id }).then((r) => {
    setReq(r.request);
    setErr(null);
    const trail = r.request.trail || [];
    ensurePeople([...trail.map((x) => x.by), ...((r.request.comments || []).map((c) => c.by)),
      ...(r.request.focalPoints.from || []), ...(r.request.focalPoints.to || [])]);
  }, (e) => setErr(errorText(e)));
  useEffect(() => { setReq(null); load(); loadOrgs().catch(() => {}); }, [id]);
  useEffect(() => {
    const offs = [on('partnership.updated', (d) => { if (d.request && d.request.id === id) load(); }), on('ready', () => load())];
    return () => offs.forEach((f) => f());
  }, [id]);

  if (err && !req) return html`<section><h1>${t('pt.detail')}</h1><${Status} text=${err} error /><a href=${href('partnerships')}>${t('pt.back')}</a></section>`;
  if (!req || !user) return html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`;

  const side = user.orgId === req.fromOrgId ? 'from' : user.orgId === req.toOrgId ? 'to' : null;
  const canAct = side && actor(user);
  const moves = [];
  if (canAct && req.state === 'pending' && side === 'to') moves.push('accept', 'counter', 'decline');
  if (canAct && req.state === 'pending' && side === 'from') moves.push('withdraw');
  if (canAct && req.state === 'countered' && side === 'from') moves.push('accept', 'decline', 'withdraw');
  if (canAct && req.state === 'accepted') moves.push('end');
  const act = async (op) => {
    if (['decline', 'withdraw', 'end'].includes(op) && !confirm(t('pt.confirm.' + op))) return;
    setErr(null); setMsg(null); setBusy(true);
    try {
      const data = { requestId: id, version: req.version };
      if (note.trim()) data.note = note.trim();
      const r = await request('partnership.' + op, data);
      setReq({ ...req, ...r.request });
      setNote('');
      load();
    } catch (x) {
      if (x.code === 'conflict') { setMsg(t('pt.changed')); load(); } else setErr(errorText(x));
    }
    setBusy(false);
  };
  const sendCounter = async (e) => {
    e.preventDefault();
    setErr(null); setBusy(true);
    try {
      const data = { requestId: id, version: req.version, ...termsData(countering) };
      if (!(countering.jointAction && countering.jointAction.kind === 'dates') && req.jointAction) data.jointAction = { kind: 'none' };
      if (note.trim()) data.note = note.trim();
      await request('partnership.counter', data);
      setCountering(null); setNote('');
      load();
    } catch (x) { setErr(errorText(x)); }
    setBusy(false);
  };
  const sendComment = async (e) => {
    e.preventDefault();
    if (!comment.trim()) return;
    try {
      await request('partnership.comment', { requestId: id, text: comment.trim() });
      setComment('');
      load();
    } catch (x) { setErr(errorText(x)); }
  };
  const yourMove = moves.some((m) => m !== 'withdraw' && m !== 'end');
  return html`<article class="pt-detail" aria-labelledby="ptd-h" data-testid="pt-detail">
    <p><a href=${href('partnerships')}>← ${t('pt.back')}</a></p>
    <h1 id="ptd-h"><${OrgName} id=${req.fromOrgId} /> → <${OrgName} id=${req.toOrgId} /></h1>
    <p><${StateBadge} state=${req.state} />
      ${(req.state === 'pending' || req.state === 'countered') && html` <span class="muted">${yourMove ? t('pt.yourMove') : t('pt.waiting')} ·
        ${t('pt.expires', { date: fmtDate(req.expiresAt) })}</span>`}</p>
    ${req.state === 'accepted' && html`<p class="pt-links">
      ${req.channelId ? html`<a class="button primary" href=${href('c/' + req.channelId)} data-testid="pt-channel">${t('pt.channel')}</a>`
        : html`<span class="muted">${t('pt.spacesPending')}</span>`}
      ${req.calendarId && html` <a class="button secondary" href=${href('calendar?cal=' + req.calendarId)}>${t('pt.calendar')}</a>`}
    </p>`}
    ${req.state === 'ended' && req.channelId && html`<p><a href=${href('c/' + req.channelId)}>${t('pt.channel')}</a></p>`}
    <section aria-labelledby="terms-h"><h2 id="terms-h">${t('pt.terms')}</h2>
      <${TermsView} terms=${req} fromOrgId=${req.fromOrgId} toOrgId=${req.toOrgId} testid="pt-terms" /></section>
    ${req.counter && html`<section aria-labelledby="counter-h" class="counter"><h2 id="counter-h">${t('pt.counterTerms')}</h2>
      <${TermsView} terms=${req.counter} fromOrgId=${req.fromOrgId} toOrgId=${req.toOrgId} testid="pt-counter" /></section>`}
    <${Status} text=${err} error /><${Status} text=${msg} />
    ${countering && html`<form class="card" onSubmit=${sendCounter} aria-labelledby="ctr-h" data-testid="pt-counter-form">
      <h2 id="ctr-h">${t('pt.counter')}</h2>
      <${Terms} value=${countering} onChange=${setCountering} fromOrgId=${req.fromOrgId} toOrgId=${req.toOrgId} fixedFp />
      <label>${t('pt.note')}<textarea rows="2" maxlength="1000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
      <div class="actions"><button class="primary" type="submit" disabled=${busy}>${t('pt.counterSend')}</button>
        <button class="secondary" type="button" onClick=${() => setCountering(null)}>${t('common.cancel')}</button></div>
    </form>`}
    ${moves.length > 0 && !countering && html`<section class="card pt-actions" aria-label=${t('pt.yourMove')}>
      <label>${t('pt.note')}<textarea name="note" rows="2" maxlength="1000" value=${note} onInput=${(e) => setNote(e.target.value)}></textarea></label>
      <div class="actions">
        ${moves.map((m) => html`<button type="button" disabled=${busy} data-testid=${'pt-' + m}
          class=${m === 'accept' ? 'primary' : m === 'counter' ? 'secondary' : 'secondary danger'}
          onClick=${() => (m === 'counter' ? setCountering({ purpose: req.purpose, themes: req.themes, jointAction: req.jointAction || { kind: 'none' }, focalPoints: req.focalPoints }) : act(m))}>
          ${t('pt.' + m)}</button>`)}
      </div>
    </section>`}
    <section aria-labelledby="trail-h"><h2 id="trail-h">${t('pt.trail')}</h2>
      <ol class="trail" data-testid="pt-trail">
        ${(req.trail || []).map((x) => html`<li>
          <${StateBadge} state=${x.state} /> ${x.by ? html`<${Name} id=${x.by} />` : t('pt.trail.system')}${', '}<time datetime=${x.at}>${fmtDateTime(x.at)}</time>
          ${x.note && html`<blockquote>${x.note}</blockquote>`}
        </li>`)}
      </ol></section>
    ${req.comments && html`<section aria-labelledby="cm-h"><h2 id="cm-h">${t('pt.comments')}</h2>
      ${req.comments.length === 0 && html`<p class="muted">${t('pt.noComments')}</p>`}
      <ul role="list" class="comments">${req.comments.map((c) => html`<li><strong><${Name} id=${c.by} /></strong>
        <time class="muted" datetime=${c.at}> · ${fmtDateTime(c.at)}</time><p>${c.text}</p></li>`)}</ul>
      <form onSubmit=${sendComment} class="comment-form">
        <label>${t('pt.comment')}<textarea rows="2" maxlength="4000" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea></label>
        <button class="secondary" type="submit">${t('pt.send')}</button>
      </form></section>`}
  </article>`;
}

export default function Partnerships({ route: current }) {
  const params = current.params || {};
  const id = current.parts[1];
  if (id) return html`<${Detail} key=${id} id=${id} />`;
  if (params.new) return html`<${RequestForm} />`;
  return html`<${Lists} params=${params} />`;
}
