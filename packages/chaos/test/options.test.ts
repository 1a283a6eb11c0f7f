import { describe, expect, it } from 'vitest';
import { chaosBehavior, chaosFault, chaosFetch, chaosLatency, chaosOutcome } from '@breakwater/chaos';

describe('options are checked at construction', () => {
  it.each([
    [() => chaosFault({ injectionRate: 1.5 }), RangeError, 'Expected `injectionRate` to be a number from 0 to 1, got `1.5` (number)'],
    [() => chaosFault({ injectionRate: -0.1 }), RangeError, 'Expected `injectionRate` to be a number from 0 to 1'],
    [() => chaosFault({ injectionRate: '0.1' as never }), TypeError, 'Expected `injectionRate` to be a number from 0 to 1 or a function returning one'],
    [() => chaosFault({ enabled: 'yes' as never }), TypeError, 'Expected `enabled` to be a boolean or a function returning one'],
    [() => chaosFault({ random: 4 as never }), TypeError, 'Expected `random` to be a function'],
    [() => chaosFault({ fault: 'boom' }), TypeError, 'Expected `fault` to be an Error or a function returning one'],
    [() => chaosFault({ rate: 0.1 } as never), TypeError, 'Unknown option `rate` for chaosFault()'],
    [() => chaosOutcome({} as never), TypeError, 'Expected `outcome` to be a function'],
    [() => chaosLatency({ latency: -5 }), RangeError, 'Expected `latency` to be a number from 0 to 2147483647'],
    [() => chaosLatency({} as never), TypeError, 'Expected `latency` to be a number of ms or a function returning one'],
    [() => chaosBehavior({ behavior: null } as never), TypeError, 'Expected `behavior` to be a function'],
    [() => chaosFetch([]), RangeError, 'Expected `policies` to hold at least one chaos policy'],
    [() => chaosFetch([{}] as never), TypeError, 'Expected every entry of `policies` to be a policy with execute()'],
  ])('%#: %s', (build, type, message) => {
    expect(build).toThrow(type);
    expect(build).toThrow(message);
  });
});
