/**
 * Responses that say "the same Idempotency-Key is still being processed": a 409 with
 * `Retry-After` to a request that carries a key (the IETF draft's in-flight answer, and
 * @breakwater/idempotency's default). Waiting and sending again is what the server asks for,
 * so the retry treats them as retryable even though 409 is not in `statuses`. A WeakSet, so the
 * retry policy's filter (shared by every call) can ask about one response without a call handle.
 */
export const inFlightConflicts = new WeakSet<Response>();

/** True for a 409 with `Retry-After` to a keyed request; the caller checks `hasKey`. */
export function isInFlightConflict(response: Response): boolean {
  return response.status === 409 && response.headers.has('retry-after');
}
