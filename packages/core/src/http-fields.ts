/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1, with the legacy `keep-alive` and `proxy-connection`):
 * they describe one connection, so whatever stores a response to send it again (an idempotency
 * replay, a shared cache) leaves them out, as it does the fields a `Connection` header names.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

// RFC 9110 tchar, checked by code point: no regex to reason about.
const TCHAR_PUNCTUATION = "!#$%&'*+-.^_`|~";

/** Whether `name` is an RFC 9110 token of 1–256 characters: a header name we may send. */
export function isHttpToken(name: string): boolean {
  if (name.length === 0 || name.length > 256) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const alnum = (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
    if (!alnum && !TCHAR_PUNCTUATION.includes(name[i]!)) return false;
  }
  return true;
}
