// Start-up: strings, then the shell, then the service worker (offline shell and Web Push).
import { html, render } from './lib/ui.js';
import { addCatalogue, locale } from './lib/i18n.js';
import core from './i18n/core.js';
import App from './shell.js';

addCatalogue(core);
document.documentElement.lang = locale.get().lang;
const root = document.getElementById('app');
root.textContent = ''; // the boot text: render() adds to what is there, it does not replace it
render(html`<${App} />`, root);

if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === 'localhost' || location.hostname === '127.0.0.1')) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker', e));
  // A click on a notification of a page that is already open: go to its place without reloading.
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'navigate' && typeof e.data.url === 'string') {
      const hash = e.data.url.slice(e.data.url.indexOf('#'));
      if (hash.startsWith('#/')) location.hash = hash;
    }
  });
}
