import { describe, expect, it } from 'vitest';
import { readKeyHeader } from '@breakwater/idempotency';

const read = (lines: readonly string[] | string | undefined) => readKeyHeader(lines, 'Idempotency-Key');

describe('readKeyHeader()', () => {
  it('reads a bare key and an IETF sf-string key alike', () => {
    expect(read(['8e03978e-40d5-43e8-bc93-6894a57f9324'])).toEqual({ kind: 'key', key: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
    expect(read(['"8e03978e-40d5-43e8-bc93-6894a57f9324"'])).toEqual({ kind: 'key', key: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
    expect(read('"a \\"quoted\\" \\\\ key"')).toEqual({ kind: 'key', key: 'a "quoted" \\ key' });
    expect(read(['  padded  '])).toEqual({ kind: 'key', key: 'padded' });
  });

  it('reports a missing header', () => {
    expect(read(undefined)).toEqual({ kind: 'missing' });
    expect(read([])).toEqual({ kind: 'missing' });
  });

  it.each([
    [[''], 'The Idempotency-Key header is empty.'],
    [['""'], 'The Idempotency-Key header is empty.'],
    [['k'.repeat(256)], 'The Idempotency-Key header is longer than 255 characters.'],
    [[`"${'k'.repeat(256)}"`], 'The Idempotency-Key header is longer than 255 characters.'],
    [['a\u0000b'], 'The Idempotency-Key header must hold printable ASCII characters only.'],
    [['a\tb'], 'The Idempotency-Key header must hold printable ASCII characters only.'],
    [['a\u007fb'], 'The Idempotency-Key header must hold printable ASCII characters only.'],
    [['caf\u00e9'], 'The Idempotency-Key header must hold printable ASCII characters only.'],
    [['"open'], 'The Idempotency-Key header is not a valid quoted string.'],
    [['"'], 'The Idempotency-Key header is not a valid quoted string.'],
    [['"a"b"'], 'The Idempotency-Key header is not a valid quoted string.'],
    [['"a\\"'], 'The Idempotency-Key header is not a valid quoted string.'],
    [['"a\\nb"'], 'The Idempotency-Key header is not a valid quoted string.'],
    [['a', 'b'], 'The Idempotency-Key header must appear once; it appeared 2 times.'],
  ])('refuses %j', (lines, detail) => {
    expect(read(lines)).toEqual({ kind: 'invalid', detail });
  });

  it('accepts exactly 255 characters', () => {
    expect(read(['k'.repeat(255)])).toEqual({ kind: 'key', key: 'k'.repeat(255) });
  });

  it('names the configured header in its messages', () => {
    expect(readKeyHeader([''], 'X-Request-Key')).toEqual({ kind: 'invalid', detail: 'The X-Request-Key header is empty.' });
  });

  it('runs in linear time on hostile input', () => {
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(read([`"${'\\\\'.repeat(50_000)}"`]).kind).toBe('invalid');
    // An upper bound that proves no backtracking blow-up, not a timing assertion on the happy path.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
