import { html } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { session } from '../lib/api.js';
import { auth } from '../lib/auth.js';

export default function Home() {
  const user = session()?.user || auth.get().session?.user;
  return html`<section class="home">
    <h1>${t('home.title', { name: user ? user.displayName : '' })}</h1>
    <p>${t('home.lead')}</p>
  </section>`;
}
