import { TimeoutError, type Clock } from '@breakwater/core';
import { errorText, toReading, type CheckDefinition, type Reading } from './check.ts';
import type { CheckEvent } from './events.ts';
import type { CheckResult } from './report.ts';

export interface RunnerSettings {
  readonly name: string;
  readonly definition: CheckDefinition;
  readonly timeoutMs: number;
  readonly cacheMs: number;
  readonly critical: boolean;
  readonly clock: Clock;
  readonly emit: (event: CheckEvent) => void;
}

/**
 * Runs one registered check: bounded by its timeout, shared by concurrent probes, cached for
 * `cacheMs`, and never more than one call of the check at a time. `evaluate()` never rejects.
 */
export class CheckRunner {
  readonly name: string;
  readonly key: string;
  readonly #settings: RunnerSettings;
  #cached: { readonly result: CheckResult; readonly at: number } | undefined;
  #pending: Promise<CheckResult> | undefined;
  /**
   * A call that timed out and has not settled yet. While it hangs no new call starts: a check
   * that ignores its signal must not pile up calls on a dependency that is already stuck.
   */
  #stuck = false;

  constructor(settings: RunnerSettings) {
    this.#settings = settings;
    this.name = settings.name;
    this.key = settings.definition.measurement === undefined ? settings.name : `${settings.name}:${settings.definition.measurement}`;
  }

  evaluate(): Promise<CheckResult> {
    const cached = this.#cached;
    if (cached !== undefined && this.#settings.clock.now() - cached.at < this.#settings.cacheMs) return Promise.resolve(cached.result);
    if (this.#pending !== undefined) return this.#pending;
    if (this.#stuck) {
      const output = `the previous call is still running after its ${this.#settings.timeoutMs}ms timeout`;
      return Promise.resolve(this.#record({ status: 'fail', output }, 0));
    }
    const pending = this.#run().finally(() => {
      this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  #run(): Promise<CheckResult> {
    const { clock, timeoutMs, definition } = this.#settings;
    const controller = new AbortController();
    const started = clock.now();
    return new Promise<CheckResult>((resolve) => {
      let answered = false;
      const timer = clock.setTimeout(() => {
        answered = true;
        this.#stuck = true;
        controller.abort(new TimeoutError(timeoutMs, { policy: `health check ${this.name}` }));
        resolve(this.#record({ status: 'fail', output: `timed out after ${timeoutMs}ms` }, timeoutMs));
      }, timeoutMs);
      const settle = (reading: () => Reading): void => {
        this.#stuck = false;
        if (answered) return;
        answered = true;
        clock.clearTimeout(timer);
        resolve(this.#record(reading(), clock.now() - started));
      };
      let called: PromiseLike<unknown>;
      try {
        called = Promise.resolve(definition.run({ signal: controller.signal }));
      } catch (error) {
        called = Promise.reject(error);
      }
      // Both branches handle the promise, so a late rejection after the timeout is never unhandled.
      called.then(
        (value) => settle(() => toReading(value)),
        (error: unknown) => settle(() => ({ status: 'fail', output: errorText(error) })),
      );
    });
  }

  #record(reading: Reading, durationMs: number): CheckResult {
    const { clock, definition, critical } = this.#settings;
    const result: CheckResult = {
      status: reading.status,
      ...(definition.componentType === undefined ? {} : { componentType: definition.componentType }),
      ...(reading.observedValue === undefined ? {} : { observedValue: reading.observedValue }),
      ...(reading.observedUnit === undefined ? {} : { observedUnit: reading.observedUnit }),
      time: new Date(clock.epochNow()).toISOString(),
      ...(reading.output === undefined ? {} : { output: reading.output }),
      critical,
    };
    this.#cached = { result, at: clock.now() };
    this.#settings.emit({ check: this.name, status: result.status, durationMs });
    return result;
  }
}
