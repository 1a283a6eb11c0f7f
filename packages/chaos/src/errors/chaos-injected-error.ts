import { BreakwaterError, errorBrand, hasBrand } from '@breakwater/core';

const chaosInjectedErrorBrand = errorBrand('ERR_BREAKWATER_CHAOS_INJECTED');

/**
 * The error `chaosFault()` throws when it is given none of its own: unmistakably injected, so a
 * log line or an alert raised during a chaos run is never confused with a real failure.
 */
export class ChaosInjectedError extends BreakwaterError {
  override name = 'ChaosInjectedError';
  readonly [chaosInjectedErrorBrand] = true;
  /** The name of the policy that injected it. */
  readonly policy: string;

  constructor(policy: string) {
    super(`Fault injected by chaos policy ${policy}`, 'ERR_BREAKWATER_CHAOS_INJECTED');
    this.policy = policy;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, chaosInjectedErrorBrand);
  }
}

/** True for a {@link ChaosInjectedError} from either the ESM or the CJS build. */
export const isChaosInjectedError = (error: unknown): error is ChaosInjectedError => hasBrand(error, chaosInjectedErrorBrand);
