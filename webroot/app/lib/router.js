// Hash routes, so that every place in the client is a link that works on reload, in a notification and from a
// push, and the server never has to know the client's paths: #/c/<channelId>, #/c/<channelId>/<seq>, #/calendar,
// #/partnerships/<id>, #/invite/<token>…
import { createStore } from './store.js';

function parse() {
  const raw = decodeURI(location.hash.replace(/^#\/?/, ''));
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  return { name: parts[0] || '', parts, params: Object.fromEntries(new URLSearchParams(query)), hash: location.hash };
}

/** {name, parts, params, hash}: name is the first segment ('' for home). */
export const route = createStore(parse());

addEventListener('hashchange', () => route.set(parse()));

export function navigate(path, { replace = false } = {}) {
  const hash = '#/' + path.replace(/^[#/]+/, '');
  if (replace) history.replaceState(null, '', hash);
  else if (location.hash !== hash) history.pushState(null, '', hash);
  route.set(parse());
}

/** href for an <a>: href(`c/${id}`). */
export const href = (path) => '#/' + path.replace(/^[#/]+/, '');
