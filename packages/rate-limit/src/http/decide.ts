import { assertNumber } from '@breakwater/core';
import { isRateLimitUnavailableError } from '../errors/rate-limit-unavailable-error.ts';
import type { RateLimitDecision } from '../types.ts';
import { limitedAnswer, unavailableAnswer, type HttpAnswer } from './answers.ts';
import { clientAddressKey } from './client-address.ts';
import { rateLimitHeaders } from './headers.ts';
import type { ResolvedHttpRateLimit } from './options.ts';

/** What an adapter does with a request. */
export type HttpRateLimitOutcome =
  /** `skip` said so: pass on, no headers. */
  | { readonly action: 'skip' }
  /** Admitted: set `headers`, pass on. */
  | { readonly action: 'allow'; readonly decision: RateLimitDecision; readonly headers: Readonly<Record<string, string>> }
  /** Denied: call `onLimited`, then write `answer` (429). */
  | { readonly action: 'deny'; readonly decision: RateLimitDecision; readonly answer: HttpAnswer }
  /** The limiter fails closed during a store outage: write `answer` (503). */
  | { readonly action: 'unavailable'; readonly error: unknown; readonly answer: HttpAnswer };

/**
 * Decides one request: `skip`, then the key (the user's `key`, or the client address grouped
 * by `ipv6Prefix`), the cost, and the limiter's `check` under the request's `signal` (aborted
 * when the client goes away). Rejects with what `skip`, `key` or `cost` threw, with a TypeError
 * for a key that is not a non-empty string, and with the limiter's error when it is not the
 * fail-closed outage (the abort reason after an abort): adapters pass those to the framework.
 *
 * `address` is the framework's client address (`req.ip`), read only when the default key is used.
 */
export async function decideHttpRateLimit<Req>(
  config: ResolvedHttpRateLimit<Req>,
  request: Req,
  address: (request: Req) => string | undefined,
  signal: AbortSignal,
): Promise<HttpRateLimitOutcome> {
  if (config.skip !== undefined && (await config.skip(request)) === true) return SKIP;
  const key = config.key === undefined ? defaultKey(address(request), config.ipv6Prefix) : await config.key(request);
  if (typeof key !== 'string' || key === '') throw new TypeError(`The rate-limit \`key\` function must return a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`);
  let cost = config.cost;
  if (typeof cost === 'function') {
    cost = await cost(request);
    assertNumber('cost', cost, { min: 0 });
  }
  let decision: RateLimitDecision;
  try {
    decision = await config.limiter.check(key, cost, signal);
  } catch (error) {
    if (isUnavailable(error)) return { action: 'unavailable', error, answer: unavailableAnswer(error) };
    throw error;
  }
  if (decision.allowed) return { action: 'allow', decision, headers: rateLimitHeaders(decision, config.headers, config.policyHeader) };
  return { action: 'deny', decision, answer: limitedAnswer(decision, config.headers, config.policyHeader) };
}

/**
 * The fail-closed outage: our `RateLimitUnavailableError` (by brand, from either build), or any
 * error with its stable code, so a hand-written `RateLimiterLike` can fail closed too.
 */
function isUnavailable(error: unknown): error is { readonly retryAfterMs?: unknown } {
  return isRateLimitUnavailableError(error) || (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNAVAILABLE_CODE);
}

const UNAVAILABLE_CODE = 'ERR_BREAKWATER_RATE_LIMIT_UNAVAILABLE';

const SKIP: HttpRateLimitOutcome = { action: 'skip' };

function defaultKey(address: string | undefined, ipv6Prefix: number): string {
  // Undefined only once the socket is gone (Node clears remoteAddress): nobody to answer.
  if (address === undefined) throw new Error('The client address is unknown: the connection has closed');
  return clientAddressKey(address, ipv6Prefix);
}
