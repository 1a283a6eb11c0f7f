import type { LimitDescription, RateLimitDecision } from '../types.ts';

/**
 * The rate-limit response headers, per draft-ietf-httpapi-ratelimit-headers-11 (23 May 2026, the
 * latest draft; its wire syntax is unchanged since -08):
 *
 *   RateLimit-Policy: "burst";q=100;w=60, "daily";q=1000;w=86400   (§3: quota q per window w seconds)
 *   RateLimit: "burst";r=42;t=30, "daily";r=958;t=80000           (§4: r units left, for t seconds)
 *
 * Both are Structured Field Lists (RFC 9651) of Items whose value is an sf-string, the policy
 * name; q, w, r and t are non-negative Integers in whole seconds. No `pk` (partition key) is
 * sent: it would echo the client's key back (§6.1 and §8.2 warn against that).
 *
 * Names are lower case, so the Express and Fastify adapters send the same bytes (Fastify lowers
 * header names anyway; HTTP names are case-insensitive).
 */
export const RATE_LIMIT_POLICY_HEADER = 'ratelimit-policy';
export const RATE_LIMIT_HEADER = 'ratelimit';
export const RETRY_AFTER_HEADER = 'retry-after';
export const LEGACY_LIMIT_HEADER = 'x-ratelimit-limit';
export const LEGACY_REMAINING_HEADER = 'x-ratelimit-remaining';
export const LEGACY_RESET_HEADER = 'x-ratelimit-reset';

/** Which rate-limit headers a response carries; `Retry-After` on a 429 is sent in every mode. */
export type RateLimitHeadersMode = 'draft' | 'legacy' | 'both' | false;

/** Whole seconds from ms, rounded up: a client told to wait 1 s for a 200 ms wait is early never. */
export function secondsCeil(ms: number): number {
  return ms <= 0 ? 0 : Math.ceil(ms / 1000);
}

/**
 * `Retry-After` (delay-seconds) for a denial: `retryAfterMs` rounded up, at least 1 (a 429 with
 * `Retry-After: 0` invites an instant retry loop). A wait the limiter cannot bound (`Infinity`,
 * e.g. a cost above every quota) is capped at the longest window: by then every limit has reset.
 */
export function retryAfterSeconds(retryAfterMs: number, limits: readonly LimitDescription[] = []): number {
  if (Number.isFinite(retryAfterMs)) return Math.max(1, secondsCeil(retryAfterMs));
  const longest = limits.reduce((max, limit) => Math.max(max, limit.windowMs), 0);
  return Math.max(1, secondsCeil(Number.isFinite(longest) ? longest : 0));
}

/** An sf-string (RFC 9651 §3.3.3): printable ASCII, with `"` and `\` escaped. */
export function sfString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) throw new TypeError(`${JSON.stringify(value)} cannot be sent as a Structured Field string: only printable ASCII is allowed`);
    if (code === 0x22 || code === 0x5c) out += '\\';
    out += value[i];
  }
  return `${out}"`;
}

/** True when `value` can be a policy name in the headers. */
export function isSfStringSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** A non-negative sf-integer (at most 15 digits). */
function sfInteger(value: number): number {
  return Math.min(Math.max(Number.isFinite(value) ? Math.floor(value) : 0, 0), 999_999_999_999_999);
}

/**
 * `RateLimit-Policy`, which stays the same from response to response: so it is built once per
 * middleware. The window is rounded up to whole seconds (at least 1): the draft has no sub-second
 * windows, and rounding up advertises a rate no higher than the real one. Undefined for a
 * limiter without limits (the field must be a non-empty list).
 */
export function formatRateLimitPolicy(limits: readonly LimitDescription[]): string | undefined {
  if (limits.length === 0) return undefined;
  return limits.map((limit) => `${sfString(limit.name)};q=${sfInteger(limit.quota)};w=${Math.max(1, secondsCeil(limit.windowMs))}`).join(', ');
}

/**
 * `RateLimit` for one decision: every limit in configuration order, `r` its remaining units
 * (rounded down: a token bucket can hold a fraction) and `t` the seconds until it is fully
 * restored (rounded up). On a denial, the denying limit's `t` (and that of any other exhausted
 * one) is at most `Retry-After`: §6 says Retry-After SHOULD NOT point before the end of the
 * effective window, and by `Retry-After` every limit admits the request again.
 */
export function formatRateLimit(decision: RateLimitDecision, retryAfter?: number): string {
  let field = '';
  for (const limit of decision.limits) {
    const remaining = sfInteger(limit.remaining);
    let reset = sfInteger(secondsCeil(limit.resetMs));
    if (retryAfter !== undefined && (remaining === 0 || limit.name === decision.policy)) reset = Math.min(reset, retryAfter);
    field += `${field === '' ? '' : ', '}${policyName(limit.name)};r=${remaining};t=${reset}`;
  }
  return field;
}

// Policy names come from limiter configuration, a handful per process: each is escaped once.
const names = new Map<string, string>();
const MAX_CACHED_NAMES = 1_024;

function policyName(name: string): string {
  let item = names.get(name);
  if (item === undefined) {
    item = sfString(name);
    if (names.size < MAX_CACHED_NAMES) names.set(name, item);
  }
  return item;
}

/**
 * The headers for a decision, allowed or denied: `RateLimit-Policy` and `RateLimit` (draft),
 * `X-RateLimit-Limit`/`-Remaining`/`-Reset` (legacy: the binding limit; Reset in seconds from
 * now, not an epoch, so client clock skew cannot distort it), and `Retry-After` on a denial.
 * `policyHeader` is the prebuilt {@link formatRateLimitPolicy} value.
 */
export function rateLimitHeaders(decision: RateLimitDecision, mode: RateLimitHeadersMode, policyHeader: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = decision.allowed ? undefined : retryAfterSeconds(decision.retryAfterMs, decision.limits);
  if ((mode === 'draft' || mode === 'both') && decision.limits.length > 0) {
    if (policyHeader !== undefined) headers[RATE_LIMIT_POLICY_HEADER] = policyHeader;
    headers[RATE_LIMIT_HEADER] = formatRateLimit(decision, retryAfter);
  }
  if (mode === 'legacy' || mode === 'both') {
    headers[LEGACY_LIMIT_HEADER] = String(sfInteger(decision.limit));
    headers[LEGACY_REMAINING_HEADER] = String(sfInteger(decision.remaining));
    let reset = sfInteger(secondsCeil(decision.resetMs));
    if (retryAfter !== undefined) reset = Math.min(reset, retryAfter);
    headers[LEGACY_RESET_HEADER] = String(reset);
  }
  if (retryAfter !== undefined) headers[RETRY_AFTER_HEADER] = String(retryAfter);
  return headers;
}

/**
 * The value to set for header `name` when a response may carry it already: stacked limiters
 * (an app-wide one and a route's own) each add their items to the `RateLimit-Policy` and
 * `RateLimit` lists (the draft lets a list span several limiters, §3 and §4), while any other
 * header is replaced by the later, inner limiter's value.
 */
export function combinedHeaderValue(name: string, existing: unknown, value: string): string {
  if ((name === RATE_LIMIT_HEADER || name === RATE_LIMIT_POLICY_HEADER) && typeof existing === 'string' && existing !== '') return `${existing}, ${value}`;
  return value;
}
