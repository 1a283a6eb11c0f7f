import { createHash } from 'node:crypto';
import { headerText, type HeaderMap } from './headers.ts';

/**
 * The request header names a response varies on (lower case, sorted, without duplicates), or
 * `'*'` when it varies on something no header describes (RFC 9111 §4.1: never matched, so never
 * stored). An empty list when the response has no `Vary`.
 */
export function varyNames(value: string | undefined): readonly string[] | '*' {
  if (value === undefined) return [];
  const names = new Set<string>();
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '*') return '*';
    if (name !== '') names.add(name);
  }
  return [...names].sort();
}

/**
 * The key of one variant of `primaryKey`: the primary key, then a hash of the request's values of
 * the `names` headers (values trimmed, lines joined with `, `; an absent header differs from an
 * empty one). Starts with the primary key, so `cache.deletePrefix(primaryKey)` drops every variant.
 * Hashed, so a long `Cookie` or `Accept` does not make a long key.
 */
export function variantKey(primaryKey: string, names: readonly string[], requestHeaders: HeaderMap): string {
  const values = names.map((name) => {
    const text = headerText(requestHeaders[name]);
    return text === undefined ? null : text.trim();
  });
  const digest = createHash('sha256').update(JSON.stringify([names, values])).digest('base64url');
  // A space cannot occur in a request target (Node refuses the request), so no URL of the
  // default key can name a variant's key and overwrite it.
  return `${primaryKey} vary:${digest}`;
}
