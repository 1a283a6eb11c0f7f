import { describe, expect, it } from 'vitest';
import { chaosFault, chaosOutcome, seededRandom } from '@breakwater/chaos';

/** Which of `calls` calls a policy injected into, as a string of 0/1. */
async function pattern(policy: { execute(fn: () => string): Promise<unknown> }, calls: number): Promise<string> {
  let marks = '';
  for (let i = 0; i < calls; i++) {
    const value = await policy.execute(() => 'real').catch(() => 'fault');
    marks += value === 'real' ? '0' : '1';
  }
  return marks;
}

describe('the injection decision', () => {
  it('is identical across runs with the same seed, and differs with another seed', async () => {
    const first = await pattern(chaosFault({ injectionRate: 0.3, random: seededRandom(11) }), 500);
    const again = await pattern(chaosFault({ injectionRate: 0.3, random: seededRandom(11) }), 500);
    const other = await pattern(chaosFault({ injectionRate: 0.3, random: seededRandom(12) }), 500);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    // mulberry32 is uniform: with this seed 500 draws at 0.3 land close to 150 (a fixed number, not a flaky bound).
    const injected = [...first].filter((mark) => mark === '1').length;
    expect(injected).toBeGreaterThan(120);
    expect(injected).toBeLessThan(180);
  });

  it('never injects at rate 0 or when disabled, and always at rate 1 without drawing', async () => {
    let draws = 0;
    const counting = () => (draws++, 0);
    expect(await pattern(chaosFault({ injectionRate: 0, random: counting }), 50)).toBe('0'.repeat(50));
    expect(await pattern(chaosFault({ injectionRate: 1, enabled: false, random: counting }), 50)).toBe('0'.repeat(50));
    expect(await pattern(chaosFault({ injectionRate: 1, random: counting }), 50)).toBe('1'.repeat(50));
    expect(draws).toBe(0);
  });

  it('defaults to Polly’s rate of one call in a thousand', async () => {
    const draws: number[] = [0.0009, 0.001, 0.5];
    const policy = chaosOutcome({ outcome: () => 'injected', random: () => draws.shift()! });
    expect(await policy.execute(() => 'real')).toBe('injected');
    expect(await policy.execute(() => 'real')).toBe('real');
    expect(await policy.execute(() => 'real')).toBe('real');
  });

  it('evaluates enabled and injectionRate per call with the call context', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    let on = false;
    const policy = chaosOutcome({
      outcome: () => 'injected',
      enabled: ({ signal }) => (seen.push(signal), on),
      injectionRate: () => 2, // clamped to 1
    });
    expect(await policy.execute(() => 'real', controller.signal)).toBe('real');
    on = true;
    expect(await policy.execute(() => 'real', controller.signal)).toBe('injected');
    expect(seen).toEqual([controller.signal, controller.signal]);
  });

  it('treats a rate function returning NaN or a negative number as 0', async () => {
    const nan = chaosOutcome({ outcome: () => 'injected', injectionRate: () => Number.NaN, random: () => 0 });
    const negative = chaosOutcome({ outcome: () => 'injected', injectionRate: () => -1, random: () => 0 });
    expect(await nan.execute(() => 'real')).toBe('real');
    expect(await negative.execute(() => 'real')).toBe('real');
  });
});
