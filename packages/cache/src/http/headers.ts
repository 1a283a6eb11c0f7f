import { HOP_BY_HOP_HEADERS } from '@breakwater/core';

/** A header value as Node's `res.getHeaders()` / `req.headers` hold it. */
export type HeaderValue = number | string | readonly string[] | undefined;

/** A header map as Node holds it (any case on the way in; lower case from `getHeaders()`). */
export type HeaderMap = Readonly<Record<string, HeaderValue>>;

/** One header's value as a single string (lines joined with `, `), or `undefined` when absent. */
export function headerText(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.length === 0 ? undefined : value.join(', ');
}

/** The value of `name` (lower case) in `headers`, whatever the case of the map's own names. */
export function findHeader(headers: HeaderMap, name: string): HeaderValue {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

// Hop-by-hop headers describe one connection, not the response: RFC 9111 §3.1 keeps them out of
// a stored response. `content-length` and `date` are written afresh on each hit and `age` is
// computed; `set-cookie` never gets here (such responses are not stored), but is listed so no
// future path can replay one client's session to another.
const NEVER_STORED = new Set([...HOP_BY_HOP_HEADERS, 'content-length', 'date', 'age', 'set-cookie']);

/**
 * The headers a stored response keeps: names lower-cased, values as strings, without hop-by-hop
 * headers (also those named in `Connection`), `Content-Length`, `Date`, `Age`, `Set-Cookie`, the
 * cache's own status header (`omit`), and those in `preset` with the same value: headers that
 * were already on the response before the cache saw the request (a request id, rate-limit
 * headers, CORS) belong to that request, and a hit gets the current request's own.
 */
export function storableHeaders(headers: HeaderMap, omit: string | undefined, preset: HeaderMap = {}): Record<string, string | string[]> {
  const named = new Set<string>();
  const connection = headerText(findHeader(headers, 'connection'));
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const trimmed = token.trim().toLowerCase();
      if (trimmed !== '') named.add(trimmed);
    }
  }
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (NEVER_STORED.has(lower) || named.has(lower) || lower === omit) continue;
    const before = findHeader(preset, lower);
    if (before !== undefined && headerText(before) === headerText(value)) continue;
    out[lower] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value];
  }
  return out;
}
