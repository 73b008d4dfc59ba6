// The notification bell in the header: the live unread count (notification.count / notification.new), a link to the
// center. Part of the first load, so it stays small; the center is views/notifications.js.
import { html } from '../lib/ui.js';
import { t, addCatalogue } from '../lib/i18n.js';
import { href, route } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { notifications, startNotifications } from '../screens/notify.js';
import screens from '../i18n/screens.js';

addCatalogue(screens);

export default function Bell() {
  startNotifications();
  const count = useStore(notifications, (n) => n.unreadCount);
  const here = useStore(route, (r) => r.name === 'notifications');
  const label = count > 0 ? t('bell.unread', { count }) : t('bell.label');
  return html`<a class="bell" href=${href('notifications')} aria-label=${label} title=${label}
    aria-current=${here ? 'page' : undefined} data-testid="bell">
    <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" /><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" /></svg>
    ${count > 0 && html`<span class="bell-count" aria-hidden="true" data-testid="bell-count">${count > 99 ? '99+' : count}</span>`}
  </a>`;
}
