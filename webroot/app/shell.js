// The application shell: sign-in when signed out; otherwise the header, the sidebar and the current screen.
// Screens are separate modules under views/, loaded when first shown (the first load carries only the shell).
import { html, useEffect, useRef, useState } from './lib/ui.js';
import { t, setLang, setZone, locale, LANGS } from './lib/i18n.js';
import { auth, login, acceptInvite, logout } from './lib/auth.js';
import * as api from './lib/api.js';
import { route, navigate, href } from './lib/router.js';
import { useStore } from './lib/store.js';
import { errorText } from './lib/errors.js';
import Sidebar from './views/sidebar.js';
import Bell from './views/bell.js';

/** Route name → the module of its screen. A module's default export renders the screen: View({route}). */
export const VIEWS = {
  '': './views/home.js',
  c: './views/conversation.js',
  channels: './views/channels.js',
  directory: './views/directory.js',
  calendar: './views/calendar.js',
  e: './views/calendar.js',
  partnerships: './views/partnerships.js',
  p: './views/partnerships.js', // a partnership's Web Push opens /#/p/<requestId> (PROTOCOL section 23)
  notifications: './views/notifications.js',
  settings: './views/settings.js',
};

const loaded = new Map();

function LangSwitch() {
  const current = useStore(locale, (l) => l.lang);
  const choose = (l) => {
    setLang(l);
    if (api.session()) api.request('user.update', { locale: l }).catch(() => {});
  };
  return html`<div class="lang" role="group" aria-label=${t('lang.label')}>
    ${LANGS.map((l) => html`<button type="button" lang=${l} aria-pressed=${current === l}
      onClick=${() => choose(l)}>${l.toUpperCase()}</button>`)}
  </div>`;
}

function Login() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      await login(String(f.get('email')).trim(), String(f.get('password')), f.get('remember') === 'on');
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return html`<main id="main" class="auth">
    <header class="auth-head"><p class="brand"><img src="favicon.svg" alt="" width="28" height="28" /> Relais</p><${LangSwitch} /></header>
    <h1>${t('app.tagline')}</h1>
    <p class="lead">${t('app.lead')}</p>
    <form class="card" onSubmit=${submit} aria-labelledby="login-title">
      <h2 id="login-title">${t('login.title')}</h2>
      <label>${t('login.email')}<input name="email" type="email" autocomplete="username" required maxlength="254" /></label>
      <label>${t('login.password')}<input name="password" type="password" autocomplete="current-password" required maxlength="256" /></label>
      <label class="check"><input name="remember" type="checkbox" /> ${t('login.remember')}</label>
      <p class="hint">${t('login.rememberHint')}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy}>${busy ? t('login.busy') : t('login.submit')}</button>
    </form>
    <p class="hint">${t('login.inviteOnly')}</p>
  </main>`;
}

function AcceptInvite({ token }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    if (f.get('password') !== f.get('confirm')) { setError(t('invite.mismatch')); return; }
    setBusy(true);
    setError(null);
    try {
      await acceptInvite(token, String(f.get('password')), false);
      navigate('', { replace: true });
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return html`<main id="main" class="auth">
    <header class="auth-head"><p class="brand"><img src="favicon.svg" alt="" width="28" height="28" /> Relais</p><${LangSwitch} /></header>
    <form class="card" onSubmit=${submit} aria-labelledby="invite-title">
      <h1 id="invite-title">${t('invite.title')}</h1>
      <p>${t('invite.lead')}</p>
      <label>${t('invite.password')}<input name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="256" /></label>
      <label>${t('invite.confirm')}<input name="confirm" type="password" autocomplete="new-password" required minlength="8" maxlength="256" /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy}>${t('invite.submit')}</button>
    </form>
  </main>`;
}

function ConnectionBanner() {
  const c = useStore(api.connection);
  const [, tick] = useState(0);
  useEffect(() => {
    if (c.status !== 'offline') return undefined;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [c.status]);
  if (c.status === 'online') return null;
  const seconds = c.retryAt ? Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000)) : 0;
  return html`<div class="banner ${c.status}" role="status" data-testid="connection-banner">
    ${c.status === 'offline' ? t('conn.offline') : t('conn.connecting')}
    ${c.status === 'offline' && seconds > 0 && html` <span>${t('conn.retryIn', { seconds })}</span>`}
    ${c.status === 'offline' && html` <button type="button" class="link" onClick=${api.reconnectNow}>${t('conn.retry')}</button>`}
  </div>`;
}

/** Loads the screen of the current route and renders it; focus moves to the screen's heading on navigation. */
function Screen({ current }) {
  const path = VIEWS[current.name];
  const [, setVersion] = useState(0);
  const main = useRef(null);
  useEffect(() => {
    if (!path || loaded.has(path)) return;
    import(path).then(
      (m) => { loaded.set(path, m.default); setVersion((n) => n + 1); },
      () => { loaded.set(path, null); setVersion((n) => n + 1); },
    );
  }, [path]);
  useEffect(() => {
    const heading = main.current && main.current.querySelector('h1');
    if (heading && document.activeElement === document.body) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }, [current.hash, loaded.get(path)]);
  let body;
  if (!path) body = html`<p>${t('view.missing')}</p>`;
  else if (!loaded.has(path)) body = html`<p class="muted" aria-busy="true">${t('app.loading')}</p>`;
  else if (!loaded.get(path)) body = html`<p class="error">${t('view.failed')}</p>`;
  else {
    const View = loaded.get(path);
    body = html`<${View} route=${current} />`;
  }
  return html`<main id="main" ref=${main} class="screen">${body}</main>`;
}

function App() {
  const session = useStore(auth, (a) => a.session);
  const current = useStore(route);
  const [menuOpen, setMenuOpen] = useState(false);
  useStore(locale); // every string re-renders when the language or zone changes

  useEffect(() => {
    if (!session) { api.stop(); return undefined; }
    // Signed out, the page speaks the browser's language (or the one last chosen here); signed in, the person's own
    // setting wins — on a shared laptop each person gets their language — and their time zone applies.
    const apply = (u) => {
      if (!u) return;
      if (u.timeZone) setZone(u.timeZone);
      if (LANGS.includes(u.locale) && u.locale !== locale.get().lang) setLang(u.locale, { remember: false });
    };
    const off = api.on('ready', (hello) => apply(hello.user));
    const offUser = api.on('user.updated', (d) => {
      if (d.user && d.user.id === api.session()?.user?.id) apply(d.user);
    });
    api.start();
    return () => { off(); offUser(); };
  }, [session && session.user.id]);

  useEffect(() => { setMenuOpen(false); }, [current.hash]);

  if (!session) {
    return current.name === 'invite' && current.parts[1] ? html`<${AcceptInvite} token=${current.parts[1]} />` : html`<${Login} />`;
  }
  return html`<div class="app ${menuOpen ? 'menu-open' : ''}">
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>${t('app.skip')}</a>
    <header class="top">
      <button type="button" class="menu" aria-expanded=${menuOpen} aria-controls="sidebar"
        aria-label=${menuOpen ? t('nav.close') : t('nav.menu')} onClick=${() => setMenuOpen(!menuOpen)}>☰</button>
      <a class="brand" href=${href('')}><img src="favicon.svg" alt="" width="24" height="24" /> Relais</a>
      <${ConnectionBanner} />
      <span class="spacer"></span>
      <${Bell} />
      <${LangSwitch} />
      <button type="button" class="link" onClick=${() => logout()}>${t('nav.signOut')}</button>
    </header>
    <aside id="sidebar" class="sidebar"><${Sidebar} /></aside>
    <${Screen} current=${current} />
  </div>`;
}

export default App;
