// The notification bell in the header. (The unread count and the center come with the notification screens.)
import { html } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { href } from '../lib/router.js';

export default function Bell() {
  return html`<a class="bell" href=${href('notifications')} aria-label=${t('nav.notifications')}>🔔</a>`;
}
