import { deltaSeconds, type CacheControl } from './cache-control.ts';
import { findHeader, headerText, type HeaderMap } from './headers.ts';

/**
 * How long a response is fresh from when it was generated, in ms, from its explicit freshness
 * (RFC 9111 §4.2.1): `s-maxage` (we are a shared cache) over `max-age` over `Expires` minus
 * `Date` (`now` when the response has no `Date`, as Node adds it only when writing). `undefined`
 * when it has none: we never guess a heuristic lifetime (§4.2.2). An unparsable `Expires`, or a
 * malformed or conflicting `s-maxage`/`max-age`, means already stale (0).
 */
export function freshnessLifetimeMs(cacheControl: CacheControl, headers: HeaderMap, now: number): number | undefined {
  if (cacheControl.has('s-maxage')) return (deltaSeconds(cacheControl.get('s-maxage')) ?? 0) * 1000;
  if (cacheControl.has('max-age')) return (deltaSeconds(cacheControl.get('max-age')) ?? 0) * 1000;
  const expires = headerText(findHeader(headers, 'expires'));
  if (expires === undefined) return undefined;
  const expiresAt = parseHttpDate(expires);
  if (expiresAt === undefined) return 0;
  const dateText = headerText(findHeader(headers, 'date'));
  const date = dateText === undefined ? now : (parseHttpDate(dateText) ?? now);
  return Math.max(0, expiresAt - date);
}

/** The response's `Age` header in seconds (0 when absent or malformed), as an upstream cache set it. */
export function ageSeconds(headers: HeaderMap): number {
  const text = headerText(findHeader(headers, 'age'));
  if (text === undefined) return 0;
  // Several values (a list, or repeated lines): the first is used (RFC 9111 §5.1).
  const comma = text.indexOf(',');
  return deltaSeconds((comma === -1 ? text : text.slice(0, comma)).trim()) ?? 0;
}

// An HTTP-date is at most ~30 characters; anything much longer is not one (and not worth parsing).
const MAX_DATE_LENGTH = 64;

function parseHttpDate(text: string): number | undefined {
  if (text.length > MAX_DATE_LENGTH) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
