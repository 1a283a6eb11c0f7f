import { HOP_BY_HOP_HEADERS } from '@breakwater/core';

/** The header a replayed response carries (as Increase and Whop send it). */
export const REPLAYED_HEADER = 'idempotent-replayed';

// Hop-by-hop headers describe one connection, not the response. `content-length` and `date` are
// recomputed for each replay; `set-cookie` would hand one session to whoever replays the key
// (RFC 9111 keeps it out of shared caches for the same reason).
const NEVER_STORED = new Set([...HOP_BY_HOP_HEADERS, 'content-length', 'date', 'set-cookie', REPLAYED_HEADER]);

/** Header values as Node's `res.getHeaders()` holds them. */
export type OutgoingHeaderValue = number | string | readonly string[] | undefined;

/**
 * The headers of a response that a replay may restore: names lower-cased, values as strings,
 * without hop-by-hop headers (also those named in `Connection`), `Content-Length`, `Date`,
 * `Set-Cookie` and `Idempotent-Replayed`.
 */
export function storableHeaders(headers: Readonly<Record<string, OutgoingHeaderValue>>): Record<string, string | string[]> {
  const named = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (NEVER_STORED.has(lower) || named.has(lower)) continue;
    out[lower] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value];
  }
  return out;
}

function connectionTokens(headers: Readonly<Record<string, OutgoingHeaderValue>>): Set<string> {
  const tokens = new Set<string>();
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== 'connection') continue;
    const value = headers[name];
    const list = value === undefined ? [] : typeof value === 'number' ? [String(value)] : typeof value === 'string' ? [value] : value;
    for (const line of list) for (const token of line.split(',')) if (token.trim() !== '') tokens.add(token.trim().toLowerCase());
  }
  return tokens;
}
