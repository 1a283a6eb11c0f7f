import { describe, expect, it } from 'vitest';
import { canonicalJson, httpFingerprint, isJsonMediaType } from '@breakwater/idempotency';

describe('canonicalJson()', () => {
  it('sorts object keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 2, a: 1 })).toBe('{"a":1,"b":2}');
    expect(canonicalJson(JSON.parse('{ "b": 2, "a": 1 }'))).toBe(canonicalJson(JSON.parse('{"a":1,"b":2}')));
    expect(canonicalJson({ z: { y: [3, { d: 1, c: 2 }], x: null }, a: 'é' })).toBe('{"a":"é","z":{"x":null,"y":[3,{"c":2,"d":1}]}}');
  });

  it('orders keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ b: 1, B: 2, '\u00e9': 3, a: 4, '10': 5, '9': 6 })).toBe('{"10":5,"9":6,"B":2,"a":4,"b":1,"é":3}');
  });

  it('writes what JSON.stringify writes for the same (sorted) value', () => {
    const value = { a: [1, 'two', true, null, -0, 1e21, 0.1], b: { c: 'quote " and \\ and \n' }, d: new Date(0), e: undefined, f: [undefined, () => 1] };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson([NaN, Infinity])).toBe('[null,null]');
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(null)).toBe('null');
  });

  it('handles nesting deeper than the call stack', () => {
    const depth = 200_000;
    const text = '['.repeat(depth) + ']'.repeat(depth);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });
});

describe('httpFingerprint()', () => {
  const base = { method: 'POST', url: '/orders', contentType: 'application/json', body: { a: 1, b: 2 } };

  it('is the same for the same JSON members in any order, parsed or as text or bytes', () => {
    const fp = httpFingerprint(base);
    expect(httpFingerprint({ ...base, body: { b: 2, a: 1 } })).toBe(fp);
    expect(httpFingerprint({ ...base, body: '{ "b": 2, "a": 1 }' })).toBe(fp);
    expect(httpFingerprint({ ...base, body: Buffer.from('{"b":2,"a":1}') })).toBe(fp);
    expect(httpFingerprint({ ...base, method: 'post' })).toBe(fp);
    expect(fp).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('differs by method, URL (path and query) and body', () => {
    const fp = httpFingerprint(base);
    const others = [
      { ...base, method: 'PATCH' },
      { ...base, url: '/orders/1' },
      { ...base, url: '/orders?x=1' },
      { ...base, body: { a: 1, b: 3 } },
      { ...base, body: { a: 1 } },
      { ...base, body: undefined },
    ].map(httpFingerprint);
    expect(new Set([fp, ...others]).size).toBe(7);
  });

  it('hashes a non-JSON body by its bytes', () => {
    const text = { method: 'POST', url: '/t', contentType: 'text/plain', body: '{"b":2,"a":1}' };
    expect(httpFingerprint(text)).not.toBe(httpFingerprint({ ...text, body: '{"a":1,"b":2}' }));
    expect(httpFingerprint(text)).toBe(httpFingerprint({ ...text, body: Buffer.from('{"b":2,"a":1}') }));
    // Invalid JSON sent as JSON falls back to its bytes.
    const broken = { method: 'POST', url: '/t', contentType: 'application/json', body: '{"a":' };
    expect(httpFingerprint(broken)).toBe(httpFingerprint({ ...broken, body: Buffer.from('{"a":') }));
  });

  it('keeps a missing body, an empty body and a JSON null apart', () => {
    const none = httpFingerprint({ method: 'POST', url: '/x', body: undefined });
    const empty = httpFingerprint({ method: 'POST', url: '/x', body: '' });
    const nullBody = httpFingerprint({ method: 'POST', url: '/x', body: null });
    const nullText = httpFingerprint({ method: 'POST', url: '/x', contentType: 'text/plain', body: 'null' });
    expect(new Set([none, empty, nullBody, nullText]).size).toBe(4);
  });
});

describe('isJsonMediaType()', () => {
  it('accepts json and +json subtypes with parameters, nothing else', () => {
    for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'application/problem+json', 'text/json']) expect(isJsonMediaType(type), type).toBe(true);
    for (const type of [undefined, '', 'text/plain', 'application/jsonx', 'json', 'application/x-www-form-urlencoded']) expect(isJsonMediaType(type), String(type)).toBe(false);
  });
});
