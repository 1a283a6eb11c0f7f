import { describe, expect, it } from 'vitest';
import { HOP_BY_HOP_HEADERS, isHttpToken } from '@breakwater/core';

describe('isHttpToken', () => {
  it.each(['x-cache', 'Idempotency-Key', "a!#$%&'*+-.^_`|~9"])('accepts %j', (name) => expect(isHttpToken(name)).toBe(true));
  it.each(['', 'x cache', 'x:cache', 'x\r\ncache', 'ä', '(x)', 'x'.repeat(257)])('refuses %j', (name) => expect(isHttpToken(name)).toBe(false));
});

describe('HOP_BY_HOP_HEADERS', () => {
  it('lists lower-case tokens, connection and transfer-encoding among them', () => {
    expect(HOP_BY_HOP_HEADERS.every((name) => isHttpToken(name) && name === name.toLowerCase())).toBe(true);
    expect(HOP_BY_HOP_HEADERS).toEqual(expect.arrayContaining(['connection', 'transfer-encoding', 'upgrade']));
  });
});
