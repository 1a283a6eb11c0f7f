import { describe, expect, it } from 'vitest';
import { BreakwaterError, breakwaterErrorBrand, errorBrand, isBreakwaterError } from '@breakwater/core';
import { BulkheadRejectedError as CockatielBulkheadRejectedError } from 'cockatiel';
import { BulkheadFullError, BulkheadRejectedError, isBulkheadFullError, isBulkheadRejectedError } from '@breakwater/bulkhead';

const details = { policy: 'db', capacity: 10, queue: 5, executing: 10, queued: 5 };

describe('BulkheadFullError', () => {
  it("is cockatiel's BulkheadRejectedError, so the adapters' guard matches it", () => {
    const error = new BulkheadFullError(details);
    expect(error).toBeInstanceOf(CockatielBulkheadRejectedError);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect(error.isBulkheadRejectedError).toBe(true);
  });

  it('is a BreakwaterError with a stable code and the state that caused it', () => {
    const error = new BulkheadFullError(details);
    expect(isBreakwaterError(error)).toBe(true);
    expect(error).toBeInstanceOf(BreakwaterError);
    expect(error).toMatchObject({ name: 'BulkheadFullError', code: 'ERR_BREAKWATER_BULKHEAD_FULL', ...details });
    expect(error.message).toBe('Bulkhead capacity exceeded: 10/10 running, 5/5 queued (db)');
  });

  it('answers instanceof and its guard by brand, so a copy from the other build still matches', () => {
    const fromOtherCopy = Object.assign(new Error('full'), {
      [breakwaterErrorBrand]: true,
      [errorBrand('ERR_BREAKWATER_BULKHEAD_FULL')]: true,
    });
    expect(fromOtherCopy instanceof BulkheadFullError).toBe(true);
    expect(isBulkheadFullError(fromOtherCopy)).toBe(true);
  });

  it('is not claimed by siblings: a plain BreakwaterError or a cockatiel rejection is not a BulkheadFullError', () => {
    expect(new BreakwaterError('x') instanceof BulkheadFullError).toBe(false);
    expect(isBulkheadFullError(new CockatielBulkheadRejectedError(1, 0))).toBe(false);
    expect(isBulkheadFullError(null)).toBe(false);
  });
});
