/**
 * Releases a response nobody will read: cancelling the body makes undici abort the transfer and
 * free the connection, where an unread body would hold its socket until garbage collection.
 * Never throws; a body already consumed or locked is left alone.
 */
export function discard(response: Response): void {
  const body = response.body;
  if (body === null || body.locked || response.bodyUsed) return;
  body.cancel().catch(noop);
}

/** True for a fetch `Response` (or a look-alike from another fetch implementation). */
export function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === 'object' && typeof (value as { status?: unknown }).status === 'number' && 'headers' in value && 'body' in value;
}

function noop(): void {}
