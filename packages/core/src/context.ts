import type { PolicyContext } from './policy.ts';

/**
 * The context a policy hands its function when all it adds is a signal. `wrap()` recognises it
 * by its constructor and merges it without copying: when the signal is the one the outer layers
 * already passed, the outer context is reused as it is. Policies should build their context with
 * this class rather than an object literal; any other context is merged key by key.
 */
export class SignalContext implements PolicyContext {
  readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }
}
