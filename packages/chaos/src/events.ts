/** The kinds of chaos policy, and the `kind` label of their injection metrics. */
export type ChaosKind = 'fault' | 'outcome' | 'latency' | 'behavior';

/** Emitted by `onInjected`: the policy injected into a call. */
export interface InjectedEvent {
  readonly policy: string;
  readonly kind: ChaosKind;
}
