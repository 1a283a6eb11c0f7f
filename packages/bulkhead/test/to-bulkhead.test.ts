import { describe, expect, it } from 'vitest';
import { bulkhead as cockatielBulkhead } from 'cockatiel';
import { BulkheadPolicy, bulkhead, toBulkhead } from '@breakwater/bulkhead';

describe('toBulkhead()', () => {
  it('uses a ready policy as it is, ours or cockatiel’s', () => {
    const ours = bulkhead({ capacity: 2 });
    const theirs = cockatielBulkhead(2);
    expect(toBulkhead(ours)).toBe(ours);
    expect(toBulkhead(theirs)).toBe(theirs);
  });

  it('builds one from options or a capacity, with their checks', () => {
    const fromOptions = toBulkhead({ capacity: 3, queue: 1 });
    expect(fromOptions).toBeInstanceOf(BulkheadPolicy);
    expect((fromOptions as BulkheadPolicy).queueCapacity).toBe(1);
    expect((toBulkhead(5) as BulkheadPolicy).capacity).toBe(5);
    expect(() => toBulkhead({ capacity: 0 })).toThrow('Expected `capacity` to be an integer from 1 and up, got `0` (number)');
  });

  it('names the adapter option when the value is neither', () => {
    expect(() => toBulkhead('ten', 'loadShedding.bulkhead')).toThrow(
      'Expected `loadShedding.bulkhead` to be a bulkhead policy, bulkhead() options or a capacity, got `"ten"` (string)',
    );
  });
});
