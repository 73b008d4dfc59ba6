// Home: a welcome, and the conversations with unread messages.
import { html } from '../lib/ui.js';
import { t, addCatalogue } from '../lib/i18n.js';
import { session } from '../lib/api.js';
import { auth } from '../lib/auth.js';
import { href } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import strings from '../i18n/chat.js';
import { chat, sortedChannels } from '../chat/store.js';
import { channelTitle } from './sidebar.js';

addCatalogue(strings);

export default function Home() {
  const user = session()?.user || auth.get().session?.user;
  const channels = useStore(chat, (s) => s.channels);
  const users = useStore(chat, (s) => s.users);
  const { rooms, direct } = sortedChannels(channels);
  const unread = [...direct, ...rooms].filter((c) => c.unreadCount > 0);
  return html`<section class="home">
    <h1>${t('home.title', { name: user ? user.displayName : '' })}</h1>
    <p>${t('home.lead')}</p>
    ${unread.length > 0 && html`<h2>${t('chat.home.unread')}</h2>
      <ul role="list" class="home-unread">
        ${unread.map((c) => html`<li key=${c.id}><a href=${href(`c/${c.id}`)}>${channelTitle(c, users)}</a>
          <span class="muted"> — ${t('chat.unread', { count: c.unreadCount })}</span></li>`)}
      </ul>`}
    <p class="home-links"><a href=${href('channels')}>${t('chat.browse')}</a> · <a href=${href('directory')}>${t('chat.home.directory')}</a></p>
  </section>`;
}
