import { Deadline, DeadlineQueue, EventEmitter, type Clock, type Event } from '@breakwater/core';
import { L2Breaker, type L2BreakerState } from './breaker.ts';
import { canSend, type RedisClient } from './client.ts';
import { L2UnavailableError } from './errors/l2-unavailable-error.ts';
import type { BreakerCloseEvent, BreakerOpenEvent, RedisErrorEvent } from './events.ts';

/** Reply errors that mean "the server cannot serve now", unlike WRONGTYPE or a script bug. */
const UNAVAILABLE_REPLIES = ['LOADING', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'BUSY', 'READONLY'];

export interface RedisGuardSettings {
  readonly commandTimeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerOpenMs: number;
  readonly clock: Clock;
}

/**
 * Every Redis call of the tier, the bus and the lock goes through one guard: refuse at once when
 * closed, when the breaker is open or when the client is not connected; otherwise race the
 * command against `commandTimeoutMs` (ioredis parks commands while disconnected, and a hung
 * server never answers, so we bound them ourselves) and feed the outcome to the breaker.
 */
export class RedisGuard {
  readonly #client: RedisClient;
  readonly #settings: RedisGuardSettings;
  readonly #breaker: L2Breaker;
  readonly #errors = new EventEmitter<RedisErrorEvent>();
  readonly #opens = new EventEmitter<BreakerOpenEvent>();
  readonly #closes = new EventEmitter<BreakerCloseEvent>();
  // Every command has the same timeout, so one timer serves them all: a Node timer set and
  // cleared per command cost more than the rest of the guard together.
  readonly #deadlines: DeadlineQueue;
  #closed = false;

  readonly onError: Event<RedisErrorEvent> = this.#errors.event;
  readonly onBreakerOpen: Event<BreakerOpenEvent> = this.#opens.event;
  readonly onBreakerClose: Event<BreakerCloseEvent> = this.#closes.event;

  constructor(client: RedisClient, settings: RedisGuardSettings) {
    this.#client = client;
    this.#settings = settings;
    this.#deadlines = new DeadlineQueue(settings.clock, settings.commandTimeoutMs);
    this.#breaker = new L2Breaker({
      threshold: settings.breakerThreshold,
      openMs: settings.breakerOpenMs,
      clock: settings.clock,
      onOpen: (failures, error) => this.#opens.emit({ failures, openMs: settings.breakerOpenMs, error }),
      onClose: (openForMs) => this.#closes.emit({ openForMs }),
    });
  }

  get breakerState(): L2BreakerState {
    return this.#breaker.state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses every later call with reason `closed`. */
  close(): void {
    this.#closed = true;
    this.#deadlines.release();
  }

  /** Reports a failure that did not come through {@link run} (a bus payload, a connection error). */
  report(event: RedisErrorEvent): void {
    this.#errors.emit(event);
  }

  /**
   * Runs `command` bounded by the command timeout, or rejects at once with an
   * {@link L2UnavailableError}. `command` may send several commands at once (they are pipelined
   * on the socket, so they cost one round trip); the bound covers them together.
   */
  run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    if (this.#closed) return this.#reject(new L2UnavailableError({ operation, reason: 'closed' }));
    if (!canSend(this.#client)) {
      // Not counted by the breaker: failing at once costs nothing, and ioredis reports the reconnect.
      return this.#reject(new L2UnavailableError({ operation, reason: 'not-connected', cause: new Error(`client status: ${this.#client.status}`) }));
    }
    const admission = this.#breaker.admit();
    if (!admission.admitted) {
      return this.#reject(new L2UnavailableError({ operation, reason: 'breaker-open', retryAfterMs: admission.retryAfterMs }));
    }
    return this.#bounded(operation, command, admission.probe);
  }

  #bounded<T>(operation: string, command: () => Promise<T>, probe: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new BoundedCommand(this, operation, probe, resolve as (value: unknown) => void, reject);
      this.#deadlines.add(call);
      let pending: Promise<T>;
      try {
        pending = command();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => call.succeeded(value),
        (cause: unknown) => call.failed(cause),
      );
    });
  }

  /** @internal The command timed out: the breaker and the events hear of it. */
  timedOut(operation: string, probe: boolean): L2UnavailableError {
    const error = new L2UnavailableError({ operation, reason: 'timeout', timeoutMs: this.#settings.commandTimeoutMs });
    this.#breaker.failure(probe, error);
    this.#errors.emit({ operation, reason: 'timeout', error });
    return error;
  }

  /** @internal The command answered in time. */
  answered(probe: boolean): void {
    this.#breaker.success(probe);
  }

  /** @internal The command failed in time. */
  commandFailed(operation: string, probe: boolean, cause: unknown): L2UnavailableError {
    const error = new L2UnavailableError({ operation, reason: 'command-failed', cause });
    if (isAvailabilityFailure(cause)) this.#breaker.failure(probe, error);
    else if (probe) this.#breaker.success(probe); // the server answered: it is up
    this.#errors.emit({ operation, reason: 'command-failed', error });
    return error;
  }

  #reject<T>(error: L2UnavailableError): Promise<T> {
    this.#errors.emit({ operation: error.operation, reason: error.reason, error });
    return Promise.reject(error);
  }
}

function isAvailabilityFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return true;
  return UNAVAILABLE_REPLIES.some((code) => error.message.startsWith(code));
}

/** One command's race against the timeout: whichever of the answer and the deadline comes first settles it. */
class BoundedCommand extends Deadline {
  #settled = false;
  readonly #guard: RedisGuard;
  readonly #operation: string;
  readonly #probe: boolean;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;

  constructor(guard: RedisGuard, operation: string, probe: boolean, resolve: (value: unknown) => void, reject: (error: unknown) => void) {
    super();
    this.#guard = guard;
    this.#operation = operation;
    this.#probe = probe;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  expire(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(this.#guard.timedOut(this.#operation, this.#probe));
  }

  succeeded(value: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.cancel();
    this.#guard.answered(this.#probe);
    this.#resolve(value);
  }

  failed(cause: unknown): void {
    // A command that lost the race to the timer may still fail later; that is expected.
    if (this.#settled) return;
    this.#settled = true;
    this.cancel();
    this.#reject(this.#guard.commandFailed(this.#operation, this.#probe, cause));
  }
}
