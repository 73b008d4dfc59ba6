// A small, safe markdown subset for messages, built as vnodes (never HTML strings): ```code blocks```, `inline
// code`, **bold**, *italic* or _italic_, links written out in full (http, https and mailto only; opened with
// rel="noopener noreferrer"), mentions <@USERID> shown as the person's name, and @channel / @here / @all.
// Line breaks are kept by the stylesheet (white-space: pre-wrap). Anything else stays plain text.
import { html } from './ui.js';

const INLINE = new RegExp([
  '(`[^`\\n]+`)', // 1 inline code
  '(<@([0-9A-Za-z]{1,40})>)', // 2, 3 mention
  '(\\*\\*(?=\\S)([^\\n]*?\\S)\\*\\*)', // 4, 5 bold
  '(\\*(?=[^\\s*])([^*\\n]*?[^\\s*])\\*)', // 6, 7 italic
  '((?<![\\p{L}\\p{N}_])_(?=\\S)([^_\\n]*?\\S)_(?![\\p{L}\\p{N}_]))', // 8, 9 italic
  '((?:https?:\\/\\/|mailto:)[^\\s<>"]+)', // 10 link
  '((?<![\\p{L}\\p{N}_@])@(?:channel|here|all)(?![\\p{L}\\p{N}_]))', // 11 everyone
].join('|'), 'gu');

const SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The address if it is a link Relais may open (http, https, mailto), else null. Trailing punctuation is left out. */
export function safeUrl(raw) {
  let url = raw;
  // "see https://example.org/x." — the full stop is not part of the link; neither is an unbalanced ")".
  while (/[.,;:!?'"\])}]$/.test(url)) {
    if (url.endsWith(')') && (url.match(/\(/g) || []).length >= (url.match(/\)/g) || []).length) break;
    url = url.slice(0, -1);
  }
  try {
    const u = new URL(url);
    return SCHEMES.has(u.protocol) ? { href: u.href, text: url, rest: raw.slice(url.length) } : null;
  } catch (e) {
    return null;
  }
}

function inline(text, opts, depth = 0) {
  const out = [];
  let last = 0;
  const re = new RegExp(INLINE.source, INLINE.flags);
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1]) out.push(html`<code>${m[1].slice(1, -1)}</code>`);
    else if (m[2]) out.push(opts.mention ? opts.mention(m[3]) : html`<span class="mention">@${m[3]}</span>`);
    else if (m[4]) out.push(html`<strong>${depth < 3 ? inline(m[5], opts, depth + 1) : m[5]}</strong>`);
    else if (m[6]) out.push(html`<em>${depth < 3 ? inline(m[7], opts, depth + 1) : m[7]}</em>`);
    else if (m[8]) out.push(html`<em>${depth < 3 ? inline(m[9], opts, depth + 1) : m[9]}</em>`);
    else if (m[10]) {
      const link = safeUrl(m[10]);
      if (link) {
        out.push(html`<a href=${link.href} target="_blank" rel="noopener noreferrer">${link.text}</a>`);
        if (link.rest) out.push(link.rest);
      } else {
        out.push(m[10]);
      }
    } else if (m[11]) out.push(html`<span class="mention everyone">${m[11]}</span>`);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * The vnodes of a message's text. opts.mention(userId) renders a mention (the person's name); without it the id is
 * shown. Code blocks are split out first: nothing inside them is interpreted.
 */
export function renderText(text, opts = {}) {
  const parts = String(text || '').split('```');
  const out = [];
  parts.forEach((part, i) => {
    const isCode = i % 2 === 1 && i < parts.length - 1; // an unclosed ``` stays text
    if (isCode) {
      // ```js\n…: a first line that is a single word names the language; it is not shown.
      const body = part.replace(/^[\w+-]*\n/, '').replace(/\n$/, '');
      out.push(html`<pre><code>${body}</code></pre>`);
    } else {
      const chunk = i % 2 === 1 ? '```' + part : part;
      out.push(...inline(chunk, opts));
    }
  });
  return out;
}

/** The text with mentions as @names and no markup, for previews and notifications. */
export function plainText(text, nameOf = (id) => id) {
  return String(text || '').replace(/<@([0-9A-Za-z]{1,40})>/g, (m, id) => '@' + nameOf(id)).replace(/```|\*\*|`/g, '');
}
