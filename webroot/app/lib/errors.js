// What to tell a person about a failed request, in their language.
import { t } from './i18n.js';

export function errorText(e) {
  const code = e && e.code;
  if (code === 'rate_limited') return t('error.rate_limited', { seconds: Math.ceil((e.retryAfterMs || 1000) / 1000) });
  const key = `error.${code}`;
  const text = t(key, { message: (e && e.message) || '' });
  return text === key ? t('common.error', { message: (e && e.message) || String(e) }) : text;
}
