import { describe, expect, it } from 'vitest';
import { deltaSeconds, MAX_DELTA_SECONDS, parseCacheControl } from '../src/index.ts';

const parsed = (value: string | string[] | undefined) => Object.fromEntries(parseCacheControl(value));

describe('parseCacheControl', () => {
  it('reads directives with and without arguments, names lower-cased, whitespace and empty members ignored', () => {
    expect(parsed('public, max-age=60')).toEqual({ public: null, 'max-age': '60' });
    expect(parsed('  No-Store ,, MAX-AGE = 5 ,\tmust-revalidate  ')).toEqual({ 'no-store': null, 'max-age': '5', 'must-revalidate': null });
    expect(parsed('')).toEqual({});
    expect(parsed(undefined)).toEqual({});
    expect(parsed(', , ,')).toEqual({});
  });

  it('unquotes quoted arguments, escapes included, commas inside quotes kept', () => {
    expect(parsed('max-age="60"')).toEqual({ 'max-age': '60' });
    expect(parsed('private="set-cookie, x-user", s-maxage=10')).toEqual({ private: 'set-cookie, x-user', 's-maxage': '10' });
    expect(parsed('ext="a\\"b", x')).toEqual({ ext: 'a"b', x: null });
    // An unterminated quote runs to the end of the header.
    expect(parsed('ext="open, max-age=5')).toEqual({ ext: 'open, max-age=5' });
  });

  it('joins several header lines', () => {
    expect(parsed(['public', 'max-age=30'])).toEqual({ public: null, 'max-age': '30' });
  });

  it('skips junk up to the next comma', () => {
    expect(parsed('max-age=60 junk here, public')).toEqual({ 'max-age': '60', public: null });
    expect(parsed('=5, no-cache')).toEqual({ 'no-cache': null });
  });

  it('keeps a repeated directive with the same argument, and empties one repeated with another', () => {
    expect(parsed('no-store, no-store')).toEqual({ 'no-store': null });
    expect(parsed('max-age=5, max-age=5')).toEqual({ 'max-age': '5' });
    expect(parsed('max-age=5, max-age=500')).toEqual({ 'max-age': '' });
  });

  it('is linear in the header length on hostile input', () => {
    const hostile = [`${'a'.repeat(50_000)}=${'"'.repeat(1)}${'\\'.repeat(50_000)}`, ' ,='.repeat(30_000), 'x='.repeat(40_000), `a="${'\\"'.repeat(40_000)}`];
    for (const header of hostile) expect(() => parseCacheControl(header)).not.toThrow();
    expect(parseCacheControl(`${'no-store,'.repeat(10_000)}max-age=1`).get('max-age')).toBe('1');
  });
});

describe('deltaSeconds', () => {
  it('reads 1*DIGIT and refuses the rest', () => {
    expect(deltaSeconds('0')).toBe(0);
    expect(deltaSeconds('0060')).toBe(60);
    for (const bad of ['', '-1', '1.5', ' 1', '1s', '0x10', '1e3']) expect(deltaSeconds(bad), bad).toBeUndefined();
    expect(deltaSeconds(null)).toBeUndefined();
    expect(deltaSeconds(undefined)).toBeUndefined();
  });

  it('caps huge values at 2^31 seconds (RFC 9111 §1.2.2)', () => {
    expect(deltaSeconds('2147483648')).toBe(MAX_DELTA_SECONDS);
    expect(deltaSeconds('9'.repeat(400))).toBe(MAX_DELTA_SECONDS);
  });
});
