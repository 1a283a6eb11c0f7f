import { describe, expect, it } from 'vitest';
import { generateLoad, type LoadOptions } from '../src/load-generator.ts';

/** Virtual time: each tick moves it forward and lets pending promise chains run. */
function virtualTime(onTick: (now: number) => void = () => {}): Pick<LoadOptions, 'now' | 'sleep'> {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      onTick(now);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('generateLoad()', () => {
  it('sends at the rate and accounts for every due request exactly once, holding back what exceeds the in-flight cap', async () => {
    const stuck: (() => void)[] = [];
    const result = await generateLoad({
      rate: 1_000,
      maxInFlight: 5,
      durationMs: 100,
      send: (n) => (n < 5 ? new Promise((resolve) => stuck.push(() => resolve('slow'))) : Promise.resolve(n % 2 === 0 ? 'ok' : '503')),
      // The five stuck requests fill the cap for the first 50 ms of virtual time.
      ...virtualTime((now) => {
        if (now === 50) for (const release of stuck.splice(0)) release();
      }),
    });
    expect(result.sent).toBe(90); // due at 0, 10, …, 90 ms of the 100 ms run: 90 requests
    const total = [...result.outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(result.sent);
    expect(result.outcomes.get('slow')).toBe(5);
    // Until 50 ms the cap is full: 35 held back. After, each 10 ms tick makes 10 due but only 5
    // fit (answers free their slot after the tick): 5 of each tick's 10 held back, 5 × 5 = 25.
    expect(result.outcomes.get('client-overload')).toBe(35 + 25);
    expect((result.outcomes.get('ok') ?? 0) + (result.outcomes.get('503') ?? 0)).toBe(25);
    expect(result.latency.count).toBe(30);
  });

  it('counts a thrown request as an error outcome and keeps going', async () => {
    const result = await generateLoad({
      rate: 500,
      maxInFlight: 10,
      durationMs: 100,
      send: (n) => (n === 0 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve('ok')),
      ...virtualTime(),
    });
    expect(result.sent).toBe(45);
    expect(result.outcomes.get('error:ECONNREFUSED')).toBe(1);
    expect(result.outcomes.get('ok')).toBe(44);
  });
});
