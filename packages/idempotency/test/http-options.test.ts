import { describe, expect, it } from 'vitest';
import { INVALID_OPTION } from '@breakwater/core';
import { decideRequest, idempotency, memoryStore, resolveIdempotencyHttp, type IdempotencyHttpOptions } from '@breakwater/idempotency';

const keys = idempotency({ store: memoryStore() });
const resolve = (options: Partial<IdempotencyHttpOptions>) => resolveIdempotencyHttp('idempotencyKeys()', { idempotency: keys, ...options });

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('resolveIdempotencyHttp()', () => {
  it('fills in the defaults', () => {
    const resolved = resolve({});
    expect([...resolved.methods]).toEqual(['POST', 'PATCH']);
    expect(resolved).toMatchObject({ required: false, scope: undefined, header: 'Idempotency-Key', headerKey: 'idempotency-key', storeServerErrors: false, maxBodyBytes: 524_288 });
    expect(resolved.shouldStore({ status: 500, headers: {}, body: '' })).toBe(false);
    expect(resolve({ storeServerErrors: true }).shouldStore({ status: 500, headers: {}, body: '' })).toBe(true);
    expect([...resolve({ methods: ['post' as 'POST', 'PUT'] }).methods]).toEqual(['POST', 'PUT']);
  });

  it.each([
    [{ idempotency: undefined }, TypeError, 'Expected `idempotency` to be an object with run()'],
    [{ idempotency: {} }, TypeError, 'Expected `idempotency` to be an object with run()'],
    [{ methods: [] }, TypeError, 'Expected `methods` to be a non-empty array of `POST`, `PATCH`, `PUT`, `DELETE`, got `[array]` (object)'],
    [{ methods: 'POST' }, TypeError, 'Expected `methods` to be a non-empty array'],
    [{ methods: ['GET'] }, RangeError, 'Expected `methods[0]` to be one of `POST`, `PATCH`, `PUT`, `DELETE`, got `"GET"` (string)'],
    [{ required: 'yes' }, TypeError, 'Expected `required` to be a boolean, got `"yes"` (string)'],
    [{ scope: 'tenant' }, TypeError, 'Expected `scope` to be a function, got `"tenant"` (string)'],
    [{ header: 'Idempotency Key' }, TypeError, 'Expected `header` to be a header name'],
    [{ header: '' }, TypeError, 'Expected `header` to be a header name'],
    [{ storeServerErrors: 1 }, TypeError, 'Expected `storeServerErrors` to be a boolean, got `1` (number)'],
    [{ maxBodyBytes: -1 }, RangeError, 'Expected `maxBodyBytes` to be an integer from 0 to 536870912, got `-1` (number)'],
    [{ maxBodyBytes: 1.5 }, RangeError, 'Expected `maxBodyBytes` to be an integer from 0 to 536870912'],
    [{ maxBody: 10 }, TypeError, 'Unknown option `maxBody` for idempotencyKeys()'],
  ])('refuses %j', (options, kind, message) => {
    const error = thrown(() => resolve(options as Partial<IdempotencyHttpOptions>));
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toContain(message);
    expect(error.code).toBe(INVALID_OPTION);
  });

  it('refuses options that are not an object', () => {
    expect(thrown(() => resolveIdempotencyHttp('idempotencyKeys()', null as never)).message).toContain('Expected the options of idempotencyKeys() to be an object');
  });
});

describe('decideRequest()', () => {
  it('passes other methods and keyless requests, answers 400 when required or malformed, guards the rest', () => {
    const lax = resolve({});
    expect(decideRequest(lax, 'GET', ['k'])).toEqual({ action: 'pass' });
    expect(decideRequest(lax, 'POST', undefined)).toEqual({ action: 'pass' });
    expect(decideRequest(lax, 'POST', ['k'])).toEqual({ action: 'guard', key: 'k' });
    expect(decideRequest(lax, 'PATCH', [''])).toEqual({ action: 'answer', problem: { status: 400, detail: 'The Idempotency-Key header is empty.' } });
    const strict = resolve({ required: true, header: 'X-Key' });
    expect(decideRequest(strict, 'POST', undefined)).toEqual({ action: 'answer', problem: { status: 400, detail: 'This request requires an X-Key header.' } });
    expect(decideRequest(strict, 'DELETE', undefined)).toEqual({ action: 'pass' });
  });
});
