import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError, TimeoutError } from '@breakwater/core';
import { isIdempotentRequest, isRetryableError, isRetryableResponse, isRetryableStatus, statusOf } from '@breakwater/retry';

describe('isRetryableStatus', () => {
  it.each([408, 425, 429, 500, 502, 503, 504, 507, 521, 599])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([200, 204, 301, 400, 401, 403, 404, 409, 413, 422, 501, 505, 600, 0])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('statusOf', () => {
  it.each([
    [{ status: 503 }, 503],
    [{ statusCode: 429 }, 429],
    [{ response: { status: 404 } }, 404],
    [{ response: { statusCode: 502 } }, 502],
    [{ status: '503' }, undefined],
    [{ status: 99 }, undefined],
    [{ status: 503.5 }, undefined],
    [new Error('plain'), undefined],
    ['503', undefined],
    [null, undefined],
  ])('reads %o as %o', (error, expected) => {
    expect(statusOf(error)).toBe(expected);
  });
});

describe('isRetryableError (the default handle)', () => {
  it.each([
    ['a plain error', new Error('ECONNRESET'), true],
    ['a fetch network failure', new TypeError('fetch failed'), true],
    ['an attempt timeout', new TimeoutError(100), true],
    ['a bulkhead rejection', new BulkheadRejectedError(1, 0), false],
    ['a thrown string', 'oops', true],
    ['a 503 HTTP error', Object.assign(new Error('HTTP 503'), { response: { status: 503 } }), true],
    ['a 429 HTTP error', Object.assign(new Error('HTTP 429'), { statusCode: 429 }), true],
    ['an error marked retryable: true despite a 400', Object.assign(new Error('HTTP 400'), { status: 400, retryable: true }), true],
    ['an AbortError', new DOMException('aborted', 'AbortError'), false],
    ['a bulkhead rejection', new BulkheadRejectedError(1, 0), false],
    ['an error marked retryable: false', Object.assign(new Error('card declined'), { retryable: false }), false],
    ['an open breaker', new BrokenCircuitError(), false],
    ['an isolated breaker', new IsolatedCircuitError(), false],
    ['a 404 HTTP error', Object.assign(new Error('HTTP 404'), { status: 404 }), false],
    ['a 422 HTTP error', Object.assign(new Error('HTTP 422'), { response: { statusCode: 422 } }), false],
  ])('%s → %s', (_label, error, expected) => {
    expect(isRetryableError(error)).toBe(expected);
  });
});

describe('isIdempotentRequest', () => {
  it.each([
    [{}, true],
    [{ method: 'get' }, true],
    [{ method: 'PUT' }, true],
    [{ method: 'DELETE' }, true],
    [{ method: 'QUERY' }, true],
    [{ method: 'POST' }, false],
    [{ method: 'PATCH' }, false],
    [{ method: 'CONNECT' }, false],
    [{ method: 'POST', headers: { 'Idempotency-Key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' } }, true],
    [{ method: 'PATCH', headers: new Headers({ 'idempotency-key': 'abc' }) }, true],
    [{ method: 'POST', headers: { 'idempotency-key': ['abc'] } }, true],
    [{ method: 'POST', headers: { 'Idempotency-Key': '  ' } }, false],
    [{ method: 'POST', headers: new Headers() }, false],
  ])('%o → %s', (request, expected) => {
    expect(isIdempotentRequest(request)).toBe(expected);
  });
});

describe('isRetryableResponse', () => {
  it.each([
    [new Response(null, { status: 503 }), true],
    [new Response(null, { status: 429 }), true],
    [new Response(null, { status: 200 }), false],
    [new Response(null, { status: 404 }), false],
    [{ status: 502 }, true],
    [{ status: '502' }, false],
    ['503', false],
    [null, false],
  ])('%o → %s', (value, expected) => {
    expect(isRetryableResponse(value)).toBe(expected);
  });
});
