import { describeValue, invalidOption, type PolicyContext } from '@breakwater/core';
import { ChaosPolicy } from './chaos-policy.ts';
import { ChaosInjectedError } from './errors/chaos-injected-error.ts';
import { resolveChaosOptions, type ChaosContext, type ChaosOptions } from './options.ts';

export interface FaultOptions extends ChaosOptions {
  /**
   * What to throw instead of running the call: a function of the call's context returning an
   * error (a fresh one per call, with its own stack), or one `Error` object thrown as it is on
   * every injection (its stack is where it was created, and it is shared by every call).
   * @default a fresh `ChaosInjectedError` per call
   */
  readonly fault?: unknown;
}

/** Throws instead of running the call; see {@link chaosFault}. */
export class FaultPolicy extends ChaosPolicy {
  readonly kind = 'fault';
  readonly #fault: (context: ChaosContext) => unknown;

  constructor(options?: FaultOptions) {
    const resolved = resolveChaosOptions('chaosFault()', 'chaos-fault', options, ['fault']);
    super(resolved);
    const { fault } = resolved.config;
    if (fault === undefined) this.#fault = () => new ChaosInjectedError(this.name);
    else if (typeof fault === 'function') this.#fault = fault as (context: ChaosContext) => unknown;
    else if (fault instanceof Error) this.#fault = () => fault;
    else throw invalidOption(`Expected \`fault\` to be an Error or a function returning one, got ${describeValue(fault)}`);
  }

  protected async inject<T>(_fn: (context: PolicyContext) => PromiseLike<T> | T, context: PolicyContext): Promise<T> {
    throw this.#fault(context);
  }
}

/**
 * Injects faults: on a chosen share of calls, throws instead of running the call, so retries,
 * breakers and fallbacks can be seen doing their job.
 *
 * @example
 * const flaky = chaosFault({ injectionRate: 0.1, fault: () => Object.assign(new Error('ECONNRESET'), { code: 'ECONNRESET' }) });
 * await wrap(retry(), flaky).execute(() => callInventory());
 */
export function chaosFault(options?: FaultOptions): FaultPolicy {
  return new FaultPolicy(options);
}
