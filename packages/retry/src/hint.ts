import { headersOf, readHeader } from './headers.ts';
import { parseRateLimitReset } from './rate-limit-header.ts';
import { parseRetryAfter } from './retry-after.ts';

/**
 * How long the server asked us to wait, in ms, read from a failed attempt's error (or, with
 * `handleResult`, its returned value); `undefined` when it gave no hint. In order:
 * 1. a numeric `retryAfterMs` property, which Breakwater's own errors carry (rate limits,
 *    open breakers) and adapters attach;
 * 2. the `Retry-After` header of the value itself (a fetch `Response`) or of the `response` an
 *    HTTP error carries (ky, got);
 * 3. the IETF `RateLimit` header, when one of its policies has no quota left.
 * `epochNow` (ms since the epoch) resolves HTTP dates; the policy passes its clock's.
 *
 * @example
 * retryAfterMsOf(Object.assign(new Error('429'), { retryAfterMs: 1_500 }), Date.now()); // 1500
 */
export function retryAfterMsOf(source: unknown, epochNow: number): number | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  const own = (source as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof own === 'number' && own >= 0) return own;
  const headers = headersOf(source);
  if (headers === undefined) return undefined;
  return parseRetryAfter(readHeader(headers, 'retry-after'), epochNow) ?? parseRateLimitReset(readHeader(headers, 'ratelimit'));
}
