import { isTimeoutError } from '@breakwater/core';

/**
 * Error codes of transport failures a new attempt may not meet: resets, refusals, timeouts and
 * sockets closed under us (Node's errno codes and undici's own), after got's and undici's lists.
 * ENOTFOUND is left out: a name that does not resolve rarely resolves a moment later.
 */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Causes are followed this deep at most (undici nests `TypeError: fetch failed` → `Error` → `AggregateError`). */
const MAX_DEPTH = 4;

/**
 * The default error filter of the fetch retry: true for an attempt timeout (Breakwater's
 * `TimeoutError`) and for network errors, recognised by a code in {@link RETRYABLE_ERROR_CODES}
 * on the error or its `cause` chain (undici's `TypeError: fetch failed` carries the socket error
 * as its cause; node-fetch puts the code on the error). Everything else, an invalid URL, an
 * `AbortError`, an open breaker, is not retried.
 */
export function isRetryableFetchError(error: unknown): boolean {
  if (isTimeoutError(error)) return true;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && current !== null && typeof current === 'object'; depth++) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === 'string' && RETRYABLE_ERROR_CODES.has(code)) return true;
    // AggregateError from happy-eyeballs connects: any member's code counts.
    if (Array.isArray(errors)) {
      for (const member of errors) {
        const memberCode = (member as { code?: unknown } | null)?.code;
        if (typeof memberCode === 'string' && RETRYABLE_ERROR_CODES.has(memberCode)) return true;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
