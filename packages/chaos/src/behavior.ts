import { assertFunction, type PolicyContext } from '@breakwater/core';
import { ChaosPolicy } from './chaos-policy.ts';
import { resolveChaosOptions, type ChaosContext, type ChaosOptions } from './options.ts';

export interface BehaviorOptions extends ChaosOptions {
  /**
   * Runs before the call when injecting: kill a connection, fill a disk, flush a cache. What it
   * throws fails the call (the call is then not run). Required.
   */
  readonly behavior: (context: ChaosContext) => void | PromiseLike<void>;
}

/** Runs extra behaviour before the call; see {@link chaosBehavior}. */
export class BehaviorPolicy extends ChaosPolicy {
  readonly kind = 'behavior';
  readonly #behavior: (context: ChaosContext) => void | PromiseLike<void>;

  constructor(options: BehaviorOptions) {
    const resolved = resolveChaosOptions('chaosBehavior()', 'chaos-behavior', options, ['behavior']);
    super(resolved);
    assertFunction('behavior', resolved.config.behavior);
    this.#behavior = resolved.config.behavior;
  }

  protected async inject<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, context: PolicyContext): Promise<T> {
    await this.#behavior(context);
    return fn(context);
  }
}

/**
 * Injects behaviour: on a chosen share of calls, runs a function of yours before the call, for
 * failures that are not a thrown error or a delay (drop a Redis connection, evict a cache).
 *
 * @example
 * const dropConnection = chaosBehavior({ injectionRate: 0.01, behavior: () => redis.disconnect(true) });
 */
export function chaosBehavior(options: BehaviorOptions): BehaviorPolicy {
  return new BehaviorPolicy(options);
}
