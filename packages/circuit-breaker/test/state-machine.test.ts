import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Disposable } from '@breakwater/core';
import { circuitBreaker, consecutive, type CircuitBreakerPolicy, type CircuitState } from '@breakwater/circuit-breaker';
import { pendingTimers, useFakeTime } from 'breakwater-test-utils';
import { controllable, fail, failTimes, flushMicrotasks, recordEvents, settle, succeed } from './helpers.ts';

const BREAK = 1_000;

interface Scene {
  readonly breaker: CircuitBreakerPolicy;
  /** A probe started by the given step, still running. */
  probe?: ReturnType<typeof controllable>;
  /** An isolation handle taken by the given step. */
  isolation?: Disposable;
}

type Step = (scene: Scene) => Promise<void> | void;

const ignored = Object.assign(new Error('not ours'), { ignored: true });

const given: Record<string, Step> = {
  closed: () => {},
  'closed, one failure short': async ({ breaker }) => failTimes(breaker, 1),
  open: async ({ breaker }) => failTimes(breaker, 2),
  'half-open, probe running': async (scene) => {
    await failTimes(scene.breaker, 2);
    await vi.advanceTimersByTimeAsync(BREAK);
    scene.probe = controllable();
    void scene.breaker.execute(scene.probe.fn).catch(() => {});
    await flushMicrotasks();
  },
  isolated: (scene) => {
    scene.isolation = scene.breaker.isolate();
  },
};

const when: Record<string, Step> = {
  'a call succeeds': async ({ breaker }) => void (await breaker.execute(succeed)),
  'a call fails': async ({ breaker }) => failTimes(breaker, 1),
  'a call fails with an ignored error': async ({ breaker }) => void (await settle(breaker.execute(() => Promise.reject(ignored)))),
  'a call arrives before the break ends': async ({ breaker }) => {
    await vi.advanceTimersByTimeAsync(BREAK - 1);
    await settle(breaker.execute(succeed));
  },
  'a call arrives after the break (and hangs)': async ({ breaker }) => {
    await vi.advanceTimersByTimeAsync(BREAK);
    void breaker.execute(controllable().fn);
    await flushMicrotasks();
  },
  'the probe succeeds': async ({ probe }) => {
    probe!.resolve('ok');
    await flushMicrotasks();
  },
  'the probe fails': async ({ probe }) => {
    probe!.reject(new Error('still down'));
    await flushMicrotasks();
  },
  'the probe fails with an ignored error': async ({ probe }) => {
    probe!.reject(ignored);
    await flushMicrotasks();
  },
  'another call arrives': async ({ breaker }) => void (await settle(breaker.execute(succeed))),
  'isolate() is called': ({ breaker }) => void breaker.isolate(),
  'the isolation is disposed': ({ isolation }) => isolation!.dispose(),
};

/** resilience4j-style: given a state and an event, the next state and exactly the events emitted. */
const table: [given: keyof typeof given, when: keyof typeof when, next: CircuitState, events: string[]][] = [
  ['closed', 'a call succeeds', 'closed', []],
  ['closed', 'a call fails', 'closed', []],
  ['closed, one failure short', 'a call fails', 'open', ['break:error', 'closed>open']],
  ['closed, one failure short', 'a call fails with an ignored error', 'closed', []],
  ['closed, one failure short', 'a call succeeds', 'closed', []],
  ['closed', 'isolate() is called', 'isolated', ['break:isolated', 'closed>isolated']],
  ['open', 'a call arrives before the break ends', 'open', ['rejected:open']],
  ['open', 'a call arrives after the break (and hangs)', 'half-open', ['half-open', 'open>half-open']],
  ['open', 'isolate() is called', 'isolated', ['break:isolated', 'open>isolated']],
  ['half-open, probe running', 'the probe succeeds', 'closed', ['reset', 'half-open>closed']],
  ['half-open, probe running', 'the probe fails', 'open', ['break:error', 'half-open>open']],
  ['half-open, probe running', 'the probe fails with an ignored error', 'half-open', []],
  ['half-open, probe running', 'another call arrives', 'half-open', ['rejected:half-open']],
  ['half-open, probe running', 'isolate() is called', 'isolated', ['break:isolated', 'half-open>isolated']],
  ['isolated', 'another call arrives', 'isolated', ['rejected:isolated']],
  ['isolated', 'isolate() is called', 'isolated', []],
  ['isolated', 'the isolation is disposed', 'closed', ['reset', 'isolated>closed']],
];

describe('state machine', () => {
  beforeEach(() => useFakeTime());
  afterEach(() => vi.useRealTimers());

  it.each(table)('given %s, when %s → %s, emitting %j', async (before, event, next, events) => {
    const handle = (error: unknown) => !(error as { ignored?: boolean }).ignored;
    const scene: Scene = { breaker: circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: BREAK, handle }) };
    await given[before]!(scene);
    const seen = recordEvents(scene.breaker);
    await when[event]!(scene);
    expect(scene.breaker.state).toBe(next);
    expect(seen).toEqual(events);
    expect(pendingTimers()).toBe(0);
  });

  it('walks a whole cycle with each transition reported once, in order', async () => {
    const breaker = circuitBreaker({ strategy: consecutive({ threshold: 2 }), breakDuration: BREAK, halfOpenProbes: 2 });
    const seen = recordEvents(breaker);
    await failTimes(breaker, 2);
    await expect(breaker.execute(succeed)).rejects.toMatchObject({ state: 'open', retryAfterMs: BREAK });
    await vi.advanceTimersByTimeAsync(BREAK);
    await breaker.execute(succeed);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(succeed);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    expect(seen).toEqual([
      'break:error',
      'closed>open',
      'rejected:open',
      'half-open',
      'open>half-open',
      'reset',
      'half-open>closed',
      'break:error',
      'closed>open',
    ]);
  });
});
