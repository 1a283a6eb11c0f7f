import { createFetch, type ResilientFetch } from '@breakwater/fetch';

export interface ChargeRequest {
  readonly amount: number;
  readonly currency: string;
  /** The payment this charge settles: the bank must never charge one reference twice. */
  readonly reference: string;
}

export interface ChargeResult {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: string;
}

/** The bank answered with an error that retries did not fix. */
export class BankError extends Error {
  override name = 'BankError';
  readonly status: number;

  constructor(status: number) {
    super(`The bank answered ${status}`);
    this.status = status;
  }
}

/**
 * The bank's API through a resilient fetch: a 10 s deadline for the whole charge, 2 s per
 * attempt, up to 4 retries with jittered backoff honouring `Retry-After`, and a breaker on the
 * bank's origin. A charge is a POST, so it is retried only because it carries an
 * `Idempotency-Key` — one per payment, the same on every retry, so the bank charges once even
 * when an answer is lost on the way back.
 */
export function createBankClient(bankUrl: string, fetchImpl?: ResilientFetch): { charge(request: ChargeRequest, key: string, signal?: AbortSignal): Promise<ChargeResult>; readonly fetch: ResilientFetch } {
  const fetch =
    fetchImpl ??
    createFetch({
      name: 'bank',
      timeout: 10_000,
      attemptTimeout: 2_000,
      retry: { maxRetries: 4, baseDelay: 100, maxDelay: 2_000 },
      breaker: {},
    });
  return {
    fetch,
    async charge(request, key, signal) {
      const response = await fetch(`${bankUrl}/charges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(request),
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new BankError(response.status);
      }
      return (await response.json()) as ChargeResult;
    },
  };
}
