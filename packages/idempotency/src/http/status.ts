// Answers that say "not now" rather than "this is the outcome": a retry must run the request.
const TRANSIENT_CLIENT_ERRORS = new Set([408, 409, 425, 429]);
// Answers about the caller, not the operation: 401 (no or bad credentials) and 403 (not allowed)
// say nothing about what the request would do once the caller is authenticated or authorized.
// Stored, they would pin the key to a refusal: a retry with fixed credentials (or after an
// auth hook that ran before the principal was known) would get the refusal replayed instead of
// running, and a record made before the scope was known could be replayed to another principal.
const CALLER_ERRORS = new Set([401, 403]);

/**
 * Whether a response is the final outcome of its request, stored and replayed: 2xx, 3xx (a 303
 * after a create is as final as a 201) and 4xx except 401, 403 (about the caller, not the
 * operation), 408, 409, 425 and 429 (transient). A 5xx releases the key so a retry runs the
 * request again, unless `storeServerErrors` (Stripe's v1 behaviour).
 */
export function shouldStoreStatus(status: number, storeServerErrors = false): boolean {
  if (status >= 200 && status < 400) return true;
  if (status >= 400 && status < 500) return !TRANSIENT_CLIENT_ERRORS.has(status) && !CALLER_ERRORS.has(status);
  if (status >= 500 && status < 600) return storeServerErrors;
  return false;
}
