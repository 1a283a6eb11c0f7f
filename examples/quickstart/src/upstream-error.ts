/**
 * An HTTP answer the client treats as a failure. It carries `retryAfterMs` from the upstream's
 * `Retry-After`, which `retry()` honours instead of its own backoff.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, retryAfterMs: number | undefined) {
    super(`upstream answered ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}
