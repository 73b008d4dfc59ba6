// The sidebar: the user's channels with unread and mention badges, their direct conversations with presence dots,
// and the links to the other screens. Live: the chat store follows the server's events.
import { html, useEffect } from '../lib/ui.js';
import { t, addCatalogue, fmtList } from '../lib/i18n.js';
import { href, route } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import strings from '../i18n/chat.js';
import { chat, startChat, sortedChannels, otherMembers, userName } from '../chat/store.js';

addCatalogue(strings);

// Marks drawn from common fonts (DejaVu, system UI fonts): emoji fonts are missing on some systems.
export const KIND_MARK = { network: '◉', organisation: '⌂', regional: '#', thematic: '#', partnership: '⇄', direct: '@', private: '⊡' };

/** The name of a channel as the user sees it: the other people's names for a direct conversation. */
export function channelTitle(c, users) {
  if (!c) return '';
  if (c.kind !== 'direct') return c.name;
  const others = otherMembers(c);
  return others.length ? fmtList(others.map((id) => userName(id, users))) : t('chat.dm.self');
}

export function PresenceDot({ status }) {
  const s = status || 'offline';
  return html`<span class="dot ${s}" data-status=${s} role="img" aria-label=${t(`presence.${s}`)} title=${t(`presence.${s}`)}></span>`;
}

function Badges({ c }) {
  const unread = c.unreadCount || 0;
  const mentions = c.mentionCount || 0;
  return html`${mentions > 0 && html`<span class="badge at" data-testid="mention-badge">@${mentions > 99 ? '99+' : mentions}</span>`}
    ${unread > 0 && html`<span class="badge" data-testid="unread-badge">${unread > 99 ? '99+' : unread}</span>`}
    ${(unread > 0 || mentions > 0) && html`<span class="sr-only">${t('chat.unread', { count: unread })}${mentions > 0 ? ', ' + t('chat.mentions', { count: mentions }) : ''}</span>`}`;
}

function ChannelLink({ c, current, users, presence }) {
  const others = c.kind === 'direct' ? otherMembers(c) : [];
  const status = others.length === 1 ? presence[others[0]] : null;
  const unread = (c.unreadCount || 0) > 0;
  return html`<li>
    <a href=${href(`c/${c.id}`)} class="sb-item ${unread ? 'unread' : ''} ${c.archived ? 'archived' : ''}"
      aria-current=${current ? 'page' : undefined} data-testid="sidebar-channel" data-channel=${c.id} data-kind=${c.kind}>
      ${c.kind === 'direct'
        ? (others.length === 1 ? html`<${PresenceDot} status=${status} />` : html`<span class="kind" aria-hidden="true">⚇</span>`)
        : html`<span class="kind" aria-hidden="true">${c.visibility === 'private' && c.kind !== 'partnership' && c.kind !== 'organisation' ? KIND_MARK.private : KIND_MARK[c.kind]}</span>`}
      <span class="name">${channelTitle(c, users)}</span>
      <${Badges} c=${c} />
    </a>
  </li>`;
}

export default function Sidebar() {
  useEffect(() => { startChat(); }, []);
  const r = useStore(route);
  const channels = useStore(chat, (s) => s.channels);
  const users = useStore(chat, (s) => s.users);
  const presence = useStore(chat, (s) => s.presence);
  const loaded = useStore(chat, (s) => s.listLoaded);
  const currentId = r.name === 'c' ? r.parts[1] : null;
  const { rooms, direct } = sortedChannels(channels);
  const link = (to, key) => html`<li><a href=${href(to)} aria-current=${r.name === to ? 'page' : undefined}>${t(key)}</a></li>`;
  return html`<nav aria-label=${t('nav.main')} class="nav">
    <ul role="list">
      ${link('', 'chat.home')}
      ${link('calendar', 'nav.calendar')}
      ${link('partnerships', 'nav.partnerships')}
      ${link('directory', 'nav.directory')}
      ${link('settings', 'nav.settings')}
    </ul>
    <section class="sb-section" aria-labelledby="sb-rooms">
      <h2 id="sb-rooms" class="sb-head">${t('nav.channels')}
        <a href=${href('channels')} class="sb-add" aria-label=${t('chat.browseOrCreate')} title=${t('chat.browseOrCreate')}>+</a></h2>
      ${!loaded && html`<p class="sb-empty muted">${t('app.loading')}</p>`}
      ${loaded && !rooms.length && html`<p class="sb-empty muted">${t('chat.noChannels')}</p>`}
      <ul role="list" class="sb-list" data-testid="sidebar-rooms">
        ${rooms.map((c) => html`<${ChannelLink} key=${c.id} c=${c} current=${c.id === currentId} users=${users} presence=${presence} />`)}
      </ul>
    </section>
    <section class="sb-section" aria-labelledby="sb-direct">
      <h2 id="sb-direct" class="sb-head">${t('nav.direct')}
        <a href=${href('directory')} class="sb-add" aria-label=${t('chat.newDirect')} title=${t('chat.newDirect')}>+</a></h2>
      ${loaded && !direct.length && html`<p class="sb-empty muted">${t('chat.noDirect')}</p>`}
      <ul role="list" class="sb-list" data-testid="sidebar-direct">
        ${direct.map((c) => html`<${ChannelLink} key=${c.id} c=${c} current=${c.id === currentId} users=${users} presence=${presence} />`)}
      </ul>
    </section>
  </nav>`;
}
