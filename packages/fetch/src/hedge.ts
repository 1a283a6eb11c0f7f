import { isCircuitOpenError } from '@breakwater/circuit-breaker';
import { linkSignal, type LinkedAbort, type TimerHandle } from '@breakwater/core';
import type { FetchAttempt } from './attempt.ts';
import type { Call } from './call.ts';
import { discard } from './discard.ts';
import { HedgeLostError } from './errors/hedge-lost-error.ts';

type Failure = { readonly error: unknown } | { readonly value: Response };

/**
 * One round of hedged attempts (Polly's hedging): the primary goes out at once; each time the
 * hedging delay passes without a good answer, or an attempt fails, the next hedge goes out (up
 * to `maxHedgedAttempts`), to the same URL or the next origin. The first good response wins:
 * every other attempt is aborted and every other response's body cancelled. When all fail, the
 * last failure is the round's outcome (for the retry around it to judge).
 */
export function hedgedRound(call: Call, signal: AbortSignal | undefined, round: number): Promise<Response> {
  const { plan } = call;
  const hedging = plan.hedging!;
  const statuses = plan.retry?.statuses;
  const retryOnError = plan.retry?.retryOnError;
  const clock = plan.clock;
  const delayMs = hedging.delay();
  const maxAttempts = hedging.maxHedgedAttempts + 1;

  return new Promise<Response>((resolve, reject) => {
    const links: LinkedAbort[] = [];
    const records: FetchAttempt[] = [];
    let launched = 0;
    let pending = 0;
    let settled = false;
    let timer: TimerHandle | undefined;
    let lastFailure: Failure | undefined;

    const finish = (): void => {
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    };

    const settleWith = (failure: Failure): void => {
      for (const link of links) link.dispose();
      if ('value' in failure) resolve(failure.value);
      else reject(failure.error);
    };

    const win = (response: Response, index: number): void => {
      finish();
      if (lastFailure !== undefined && 'value' in lastFailure) discard(lastFailure.value);
      for (let i = 0; i < links.length; i++) {
        const link = links[i]!;
        if (i !== index && !link.signal.aborted) {
          records[i]!.cancelled = true;
          // Aborting the losers' fetches frees their sockets; the server sees the close.
          link.abort(new HedgeLostError());
        }
        link.dispose();
      }
      resolve(response);
    };

    const failed = (failure: Failure): void => {
      if (lastFailure !== undefined && 'value' in lastFailure) discard(lastFailure.value);
      lastFailure = failure;
      if (signal?.aborted) {
        // The caller or the deadline ended the round: every attempt is aborted with it.
        if (pending === 0) {
          finish();
          settleWith({ error: signal.reason });
        }
        return;
      }
      const worthHedging = 'value' in failure || retryOnError === undefined || retryOnError(failure.error) || isCircuitOpenError(failure.error);
      if (worthHedging && launched < maxAttempts) launch('failure');
      else if (pending === 0) {
        finish();
        settleWith(failure);
      }
    };

    const launch = (trigger: 'delay' | 'failure'): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      const hedge = launched++;
      const index = hedge;
      const link = linkSignal(signal);
      links.push(link);
      pending++;
      const target = hedge === 0 ? undefined : hedging.target(call.request.url, hedge);
      if (target !== undefined) call.events.hedge(call, target.origin, hedge, round, trigger, delayMs);
      call.attempt(link.signal, target, round, hedge, (record) => void records.push(record)).then(
        (response) => {
          pending--;
          if (settled) {
            discard(response);
            return;
          }
          if (statuses?.has(response.status) ?? false) failed({ value: response });
          else win(response, index);
        },
        (error: unknown) => {
          pending--;
          if (settled) return;
          failed({ error });
        },
      );
      if (launched < maxAttempts && !settled) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          if (!settled && launched < maxAttempts && !signal?.aborted) launch('delay');
        }, delayMs);
      }
    };

    launch('delay');
  });
}
