// The sidebar: navigation. (The channel list with badges and the direct conversations come with the chat screens.)
import { html } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { href, route } from '../lib/router.js';
import { useStore } from '../lib/store.js';

export default function Sidebar() {
  const name = useStore(route, (r) => r.name);
  const link = (to, key) => html`<li><a href=${href(to)} aria-current=${name === to ? 'page' : undefined}>${t(key)}</a></li>`;
  return html`<nav aria-label=${t('nav.main')} class="nav">
    <ul role="list">
      ${link('calendar', 'nav.calendar')}
      ${link('partnerships', 'nav.partnerships')}
      ${link('directory', 'nav.directory')}
      ${link('settings', 'nav.settings')}
    </ul>
  </nav>`;
}
