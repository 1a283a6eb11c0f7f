import { EventEmitter } from '@breakwater/core';
import type { CircuitBreakerPolicy } from '@breakwater/circuit-breaker';
import type { GiveUpEvent, RetryEvent, RetryPolicy } from '@breakwater/retry';
import type { FetchAttempt } from './attempt.ts';
import { discardOutcome, outcomeOwners, type Call } from './call.ts';
import type { FetchAttemptEvent, FetchBreakerEvent, FetchGiveUpEvent, FetchHedgeEvent, FetchRetryEvent } from './events.ts';

/** A client's emitters, and the listeners it puts on the policies it builds. */
export class ClientEvents {
  readonly name: string;
  readonly onAttempt = new EventEmitter<FetchAttemptEvent>();
  readonly onRetry = new EventEmitter<FetchRetryEvent>();
  readonly onHedge = new EventEmitter<FetchHedgeEvent>();
  readonly onGiveUp = new EventEmitter<FetchGiveUpEvent>();
  readonly onBreaker = new EventEmitter<FetchBreakerEvent>();

  constructor(name: string) {
    this.name = name;
  }

  attempt(call: Call, attempt: FetchAttempt): void {
    if (this.onAttempt.hasListeners) this.onAttempt.emit({ client: this.name, method: call.request.method, attempt: { ...attempt } });
  }

  hedge(call: Call, origin: string, hedge: number, retry: number, trigger: 'delay' | 'failure', delayMs: number): void {
    if (this.onHedge.hasListeners) this.onHedge.emit({ client: this.name, method: call.request.method, origin, hedge, retry, trigger, delayMs });
  }

  breakerCreated(key: string, breaker: CircuitBreakerPolicy): void {
    if (this.onBreaker.hasListeners) this.onBreaker.emit({ client: this.name, key, breaker });
  }

  /**
   * Listens to a retry policy this client built. The retry is about to wait: the failed
   * response's body is released now (not after the delay), so its socket is free meanwhile.
   */
  watchRetry(policy: RetryPolicy): void {
    policy.onRetry((event: RetryEvent) => {
      const outcome = 'value' in event ? event.value : event.error;
      discardOutcome(outcome);
      const owner = outcome !== null && typeof outcome === 'object' ? outcomeOwners.get(outcome) : undefined;
      if (owner === undefined) return;
      owner.attempt.delayMs = event.delayMs;
      if (!this.onRetry.hasListeners) return;
      const { call, attempt } = owner;
      this.onRetry.emit({
        client: this.name,
        method: call.request.method,
        origin: attempt.origin,
        retry: event.attempt,
        delayMs: event.delayMs,
        source: event.source,
        ...(attempt.status !== undefined ? { status: attempt.status } : { error: attempt.error }),
      });
    });
    policy.onGiveUp((event: GiveUpEvent) => {
      const outcome = 'value' in event ? event.value : event.error;
      const owner = outcome !== null && typeof outcome === 'object' ? outcomeOwners.get(outcome) : undefined;
      if (owner === undefined) return;
      owner.call.giveUp = event.reason;
      if (this.onGiveUp.hasListeners) {
        const { call, attempt } = owner;
        this.onGiveUp.emit({ client: this.name, method: call.request.method, origin: attempt.origin, rounds: event.attempts, reason: event.reason });
      }
    });
  }
}
