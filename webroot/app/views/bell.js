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
    <span aria-hidden="true">🔔</span>
    ${count > 0 && html`<span class="bell-count" aria-hidden="true" data-testid="bell-count">${count > 99 ? '99+' : count}</span>`}
  </a>`;
}
