/** An idempotency answer an adapter sends as problem+json (see core's `problemDetails`). */
export interface IdempotencyProblem {
  readonly status: 400 | 409 | 422 | 503;
  readonly detail: string;
  /** Seconds for `Retry-After` (409 and 503 only). */
  readonly retryAfter?: number;
}

// The error codes of the IdempotencyLike contract (types.ts). Matched by code, not class, so an
// error from another copy of the package (ESM next to CJS) maps the same way.
const KEY_INVALID = 'ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID';
const CONFLICT = 'ERR_BREAKWATER_IDEMPOTENCY_CONFLICT';
const MISMATCH = 'ERR_BREAKWATER_IDEMPOTENCY_MISMATCH';
const UNAVAILABLE = 'ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE';

/** The answer to a request that needs a key and sent none. */
export function missingKeyProblem(header: string): IdempotencyProblem {
  return { status: 400, detail: `This request requires an ${header} header.` };
}

/** The answer to a malformed key; `detail` says what is wrong with it. */
export function invalidKeyProblem(detail: string): IdempotencyProblem {
  return { status: 400, detail };
}

/**
 * Maps an error from `IdempotencyLike.run()` to its answer: 400 invalid key, 409 in flight, 422
 * different payload, 503 store unavailable (with `Retry-After` from the error's `retryAfterMs`,
 * at least 1 second). Anything else is not ours to answer: `undefined`.
 */
export function idempotencyProblem(error: unknown, header = 'Idempotency-Key'): IdempotencyProblem | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, retryAfterMs } = error as { code?: unknown; retryAfterMs?: unknown };
  switch (code) {
    case KEY_INVALID:
      return { status: 400, detail: `The ${header} header is not a valid key.` };
    case CONFLICT: {
      const seconds = retryAfterSeconds(retryAfterMs);
      return { status: 409, detail: `A request with this ${header} is still being processed; retry after ${plural(seconds)}.`, retryAfter: seconds };
    }
    case MISMATCH:
      return { status: 422, detail: `This ${header} was already used with a different request (method, URL or body).` };
    case UNAVAILABLE: {
      const seconds = retryAfterSeconds(retryAfterMs);
      return { status: 503, detail: `Idempotency keys cannot be checked right now; retry after ${plural(seconds)}.`, retryAfter: seconds };
    }
    default:
      return undefined;
  }
}

/** Whole seconds, rounded up, at least 1 (`Retry-After: 0` invites a retry storm). */
export function retryAfterSeconds(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 1_000) return 1;
  return Math.min(Math.ceil(ms / 1_000), 86_400);
}

function plural(seconds: number): string {
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
