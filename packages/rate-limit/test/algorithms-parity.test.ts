import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimit, type AlgorithmName, type LimitOptions, type RateLimitDecision } from '@breakwater/rate-limit';
import { redisStore } from '@breakwater/rate-limit/redis';
import { startRedis, type RedisServer } from 'breakwater-test-utils';
import { T0 } from './conformance.ts';

/**
 * The Lua scripts are ports of `src/algorithms/*.ts`: this runs the same requests at the same
 * injected times through the memory store and the Redis store (the lean GCRA script for one
 * limit, the general script otherwise) and requires identical decisions, field by field. The
 * conformance suite checks chosen answers; this checks that nothing else differs either.
 */

/** One or more identical requests after moving time forward. */
interface Step {
  readonly advance?: number;
  readonly key?: string;
  readonly cost?: number;
  readonly repeat?: number;
}

interface Scenario {
  readonly name: string;
  readonly limits: LimitOptions | readonly LimitOptions[];
  /** Offset of the first request from T0, a whole hour (so also a window edge). */
  readonly start?: number;
  readonly steps: readonly Step[];
}

const ALGORITHMS: readonly AlgorithmName[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];

/** mulberry32: a seeded generator, so the random scenarios are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Requests at random (seeded) times, costs and keys, including fractional times like Redis TIME's µs. */
function randomSteps(seed: number, count: number, windowMs: number, maxCost: number): Step[] {
  const next = random(seed);
  const advances = [0, 0, 1, 0.001, 0.5, 7, windowMs / 10, windowMs / 3, windowMs - 1, windowMs, 1.5 * windowMs];
  const costs = [1, 1, 1, 0, 0.5, 2, maxCost];
  return Array.from({ length: count }, () => ({
    advance: advances[Math.floor(next() * advances.length)]!,
    cost: costs[Math.floor(next() * costs.length)]!,
    key: next() < 0.8 ? 'a' : 'b',
    repeat: 1 + Math.floor(next() * 3),
  }));
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a burst past the quota, then refills',
    limits: { quota: 10, windowMs: 1_000 },
    steps: [{ repeat: 12 }, { advance: 1 }, { advance: 99 }, { advance: 100, repeat: 2 }, { advance: 100 }, { advance: 250, repeat: 3 }, { advance: 1_000, repeat: 11 }, { advance: 5_000 }],
  },
  {
    name: 'a quota that does not divide the window',
    limits: { quota: 3, windowMs: 1_000 },
    steps: [{ repeat: 4 }, { advance: 333 }, { advance: 1 }, { advance: 0.5 }, { advance: 332.5, repeat: 2 }, { advance: 666, repeat: 3 }],
  },
  {
    name: 'fractional and zero costs',
    limits: { quota: 10, windowMs: 1_000 },
    steps: [
      { cost: 0.5 },
      { cost: 2.5, repeat: 3 },
      { cost: 0 },
      { cost: 3.3 },
      { cost: 0.1, repeat: 5 },
      { cost: 0 },
      { advance: 37, cost: 0.7, repeat: 2 },
      { advance: 0.25, cost: 10 },
      { advance: 999.75, cost: 10 },
      { cost: 0 },
    ],
  },
  {
    name: 'several limits on one key',
    limits: [
      { quota: 3, windowMs: 1_000, name: 'second' },
      { quota: 5, windowMs: 60_000, name: 'minute' },
      { quota: 8, windowMs: 3_600_000, name: 'hour' },
    ],
    steps: [{ repeat: 4 }, { advance: 1_000, repeat: 3 }, { advance: 500, cost: 2 }, { advance: 58_500, repeat: 4 }, { advance: 60_000, repeat: 4 }, { advance: 600_000, repeat: 2, cost: 3 }],
  },
  {
    name: 'window edges, crossed and landed on',
    limits: { quota: 4, windowMs: 1_000 },
    start: 999,
    steps: [{ repeat: 5 }, { advance: 1, repeat: 5 }, { advance: 998.999 }, { advance: 0.001, repeat: 3 }, { advance: 999.999 }, { advance: 0.002 }, { advance: 2_000, repeat: 5 }, { advance: 1_000 }],
  },
  {
    name: 'a client hammering while denied',
    limits: { quota: 5, windowMs: 1_000 },
    steps: [{ repeat: 20 }, { advance: 150, repeat: 5 }, { advance: 1 }, { advance: 1_000, repeat: 3 }, { advance: 2_500, repeat: 6 }, { advance: 10_000 }],
  },
  {
    name: 'several keys interleaved',
    limits: { quota: 2, windowMs: 500 },
    steps: [{ key: 'a' }, { key: 'b', repeat: 3 }, { key: 'a', repeat: 2 }, { advance: 250, key: 'b' }, { key: 'c', cost: 2 }, { advance: 250, key: 'a', repeat: 3 }],
  },
  { name: 'random requests (seed 1)', limits: { quota: 10, windowMs: 1_000 }, start: 123.456, steps: randomSteps(1, 150, 1_000, 10) },
  {
    name: 'random requests on two limits (seed 2)',
    limits: [
      { quota: 7, windowMs: 700, name: 'short' },
      { quota: 20, windowMs: 10_000, name: 'long' },
    ],
    steps: randomSteps(2, 150, 700, 7),
  },
];

let redis: RedisServer;
let client: Redis;
let limiters = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = await redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

describe('TS ↔ Lua parity: memory and Redis decide alike', () => {
  const cases = ALGORITHMS.flatMap((algorithm) => SCENARIOS.flatMap((scenario) => [false, true].map((consumeWhenDenied) => [algorithm, scenario.name, consumeWhenDenied, scenario] as const)));

  it.each(cases)('%s: %s (consumeWhenDenied %s)', async (algorithm, _, consumeWhenDenied, scenario) => {
    let now = T0 + (scenario.start ?? 0);
    const clock = { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const name = `parity${++limiters}`;
    const options = { name, algorithm, limits: scenario.limits, consumeWhenDenied };
    const memory = rateLimit({ ...options, clock });
    const shared = rateLimit({ ...options, store: redisStore(client, { now: () => now, commandTimeoutMs: 5_000 }) });
    const seen: RateLimitDecision[] = [];
    let request = 0;
    for (const [index, step] of scenario.steps.entries()) {
      now += step.advance ?? 0;
      for (let i = 0; i < (step.repeat ?? 1); i++) {
        const key = step.key ?? 'a';
        const cost = step.cost ?? 1;
        const expected = await memory.check(key, cost);
        const actual = await shared.check(key, cost);
        expect(actual, `request ${request++} (step ${index}, ${key}, cost ${cost}, at T0 + ${now - T0} ms)`).toEqual(expected);
        seen.push(expected);
      }
    }
    // The scenarios exercise both answers, so a store that never denies would not pass unseen.
    expect(seen.some((d) => d.allowed)).toBe(true);
    expect(seen.some((d) => !d.allowed)).toBe(true);
  });
});

describe('TS ↔ Lua parity with every request of a scenario made in one tick (batched: one GCRA call per 128 decisions)', () => {
  const cases = ALGORITHMS.flatMap((algorithm) => SCENARIOS.flatMap((scenario) => [false, true].map((consumeWhenDenied) => [algorithm, scenario.name, consumeWhenDenied, scenario] as const)));

  it.each(cases)('%s: %s (consumeWhenDenied %s)', async (algorithm, _, consumeWhenDenied, scenario) => {
    let now = T0 + (scenario.start ?? 0);
    const clock = { now: () => now, epochNow: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const name = `batched${++limiters}`;
    const options = { name, algorithm, limits: scenario.limits, consumeWhenDenied };
    const memory = rateLimit({ ...options, clock });
    // The store reads `now` when a decision is made, so each decision of the batch keeps its own time.
    const shared = rateLimit({ ...options, store: redisStore(client, { now: () => now, commandTimeoutMs: 5_000 }) });
    const expected: RateLimitDecision[] = [];
    const actual: Promise<RateLimitDecision>[] = [];
    const labels: string[] = [];
    for (const [index, step] of scenario.steps.entries()) {
      now += step.advance ?? 0;
      for (let i = 0; i < (step.repeat ?? 1); i++) {
        const key = step.key ?? 'a';
        const cost = step.cost ?? 1;
        expected.push(await memory.check(key, cost));
        labels.push(`request ${labels.length} (step ${index}, ${key}, cost ${cost}, at T0 + ${now - T0} ms)`);
      }
    }
    now = T0 + (scenario.start ?? 0);
    for (const step of scenario.steps) {
      now += step.advance ?? 0;
      for (let i = 0; i < (step.repeat ?? 1); i++) actual.push(shared.check(step.key ?? 'a', step.cost ?? 1));
    }
    const decisions = await Promise.all(actual);
    for (const [i, decision] of decisions.entries()) expect(decision, labels[i]).toEqual(expected[i]);
    expect(decisions.every((d) => d.source === 'store')).toBe(true);
    expect(expected.some((d) => d.allowed)).toBe(true);
    expect(expected.some((d) => !d.allowed)).toBe(true);
  });
});
