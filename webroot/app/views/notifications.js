// The notification center (#/notifications): notification.list in pages (unread only or all), mark one or all read,
// each item a link to its place. New ones arrive live (notification.new); another device marking read sends only a
// count, so the list is reloaded when the count drops below what is shown.
import { html, useEffect, useState } from '../lib/ui.js';
import { t, fmtDateTime, fmtRelative } from '../lib/i18n.js';
import { request, on } from '../lib/api.js';
import { href, navigate, route } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { errorText } from '../lib/errors.js';
import { notifications, markRead, targetPath } from '../screens/notify.js';
import { Status } from '../screens/common.js';

const PAGE = 30;

export default function Notifications() {
  const params = useStore(route, (r) => r.params);
  const unreadOnly = params.show === 'unread';
  const count = useStore(notifications, (n) => n.unreadCount);
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const load = async (before) => {
    setError(null);
    try {
      const data = { limit: PAGE, unreadOnly };
      if (before) data.before = before;
      const r = await request('notification.list', data);
      notifications.set({ unreadCount: r.unreadCount, known: true });
      setItems((old) => (before ? [...(old || []), ...r.notifications] : r.notifications));
      setNext(r.nextBefore || null);
    } catch (e) { setError(errorText(e)); }
  };
  useEffect(() => { setItems(null); load(); }, [unreadOnly]);
  useEffect(() => {
    const offNew = on('notification.new', (d) => {
      if (d.notification) setItems((old) => (old && !old.some((n) => n.id === d.notification.id) ? [d.notification, ...old] : old));
    });
    const offReady = on('ready', () => load());
    return () => { offNew(); offReady(); };
  }, [unreadOnly]);
  // Another device marked some read: the count fell below the unread ones shown.
  useEffect(() => {
    if (items && items.filter((n) => !n.read).length > count) load();
  }, [count]);

  const readOne = async (n) => {
    try {
      await markRead([n.id]);
      setItems((old) => (unreadOnly ? old.filter((x) => x.id !== n.id) : old.map((x) => (x.id === n.id ? { ...x, read: true } : x))));
    } catch (e) { setError(errorText(e)); }
  };
  const readAll = async () => {
    setBusy(true);
    try {
      await markRead('all');
      setItems((old) => (unreadOnly ? [] : (old || []).map((x) => ({ ...x, read: true }))));
    } catch (e) { setError(errorText(e)); }
    setBusy(false);
  };
  const open = (e, n) => {
    e.preventDefault();
    if (!n.read) markRead([n.id]).catch(() => {});
    navigate(targetPath(n));
  };

  return html`<section class="notif-center" aria-labelledby="ntf-h">
    <div class="screen-head">
      <h1 id="ntf-h">${t('ntf.title')}</h1>
      <p class="muted" data-testid="ntf-count">${t('ntf.count', { count })}</p>
    </div>
    <div class="toolbar">
      <div class="seg" role="group" aria-label=${t('ntf.show')}>
        <a href=${href('notifications?show=unread')} aria-current=${unreadOnly ? 'true' : undefined}>${t('ntf.unreadOnly')}</a>
        <a href=${href('notifications')} aria-current=${!unreadOnly ? 'true' : undefined}>${t('ntf.all')}</a>
      </div>
      <button type="button" class="secondary" onClick=${readAll} disabled=${busy || count === 0}>${t('ntf.markAll')}</button>
    </div>
    <${Status} text=${error} error />
    ${items === null && !error && html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`}
    ${items && items.length === 0 && html`<p class="muted">${unreadOnly ? t('ntf.emptyUnread') : t('ntf.empty')}</p>`}
    ${items && items.length > 0 && html`<ul role="list" class="notif-list" data-testid="ntf-list">
      ${items.map((n) => html`<li key=${n.id} class=${n.read ? 'read' : 'unread'} data-kind=${n.kind}>
        <a href=${href(targetPath(n))} onClick=${(e) => open(e, n)}>
          ${!n.read && html`<span class="dot" aria-hidden="true"></span><span class="sr-only">${t('ntf.unread')}: </span>`}
          <strong class="n-title">${n.title}</strong>
          <time datetime=${n.createdAt} title=${fmtDateTime(n.createdAt)}>${fmtRelative(n.createdAt)}</time>
          ${n.body && html`<span class="n-body">${n.body}</span>`}
        </a>
        ${!n.read && html`<button type="button" class="link" onClick=${() => readOne(n)}
          aria-label=${t('ntf.markOne') + ': ' + n.title}>${t('ntf.markOne')}</button>`}
      </li>`)}
    </ul>`}
    ${next && html`<button type="button" class="secondary" onClick=${() => load(next)}>${t('ntf.more')}</button>`}
  </section>`;
}
