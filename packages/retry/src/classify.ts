import { isBrokenCircuitError, isBulkheadRejectedError, isIsolatedCircuitError } from '@breakwater/core';

/**
 * True for HTTP statuses worth retrying: 408 Request Timeout, 425 Too Early, 429 Too Many
 * Requests, and 5xx except 501 Not Implemented and 505 HTTP Version Not Supported, which no
 * retry can fix. Other 4xx mean the request itself is wrong and would fail the same way again.
 */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 425 || status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

/**
 * The HTTP status an error carries, as HTTP clients attach it: `status` / `statusCode` on the
 * error (undici, axios-like) or on its `response` (ky, got). `undefined` when there is none.
 */
export function statusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const holder = error as { status?: unknown; statusCode?: unknown; response?: unknown };
  let status = holder.status ?? holder.statusCode;
  if (status === undefined && holder.response !== null && typeof holder.response === 'object') {
    const response = holder.response as { status?: unknown; statusCode?: unknown };
    status = response.status ?? response.statusCode;
  }
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

/**
 * The default `handle` filter: retries every error except those a retry cannot fix or must not
 * repeat:
 * - an error that says so itself with `retryable: false` (`retryable: true` forces a retry);
 * - an `AbortError` (someone cancelled the work on purpose);
 * - `BrokenCircuitError` / `IsolatedCircuitError` (the breaker already decided) and
 *   `BulkheadRejectedError` (we are shedding load; a retry would add to it);
 * - an error carrying an HTTP status that {@link isRetryableStatus} rejects (400, 404, 422, …).
 * The caller's own abort is never retried, whatever the filter says.
 */
export function isRetryableError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return true;
  const { retryable, name } = error as { retryable?: unknown; name?: unknown };
  if (typeof retryable === 'boolean') return retryable;
  if (name === 'AbortError') return false;
  if (isBrokenCircuitError(error) || isIsolatedCircuitError(error) || isBulkheadRejectedError(error)) return false;
  const status = statusOf(error);
  return status === undefined || isRetryableStatus(status);
}

/**
 * A `handleResult` for HTTP clients that return responses instead of throwing (fetch): true for
 * a value with a retryable numeric `status` (a 503 `Response`), false for anything else.
 */
export function isRetryableResponse(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const status = (value as { status?: unknown }).status;
  return typeof status === 'number' && isRetryableStatus(status);
}
