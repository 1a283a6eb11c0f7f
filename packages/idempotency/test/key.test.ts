import { describe, expect, it } from 'vitest';
import { idempotency, isInvalidIdempotencyKeyError, memoryStore, validateIdempotencyKey, MAX_KEY_LENGTH, type IdempotencyOutcomeEvent } from '@breakwater/idempotency';

function reasonOf(key: unknown): string | undefined {
  try {
    validateIdempotencyKey(key);
    return undefined;
  } catch (error) {
    expect(isInvalidIdempotencyKeyError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID', name: 'InvalidIdempotencyKeyError' });
    return (error as { reason: string }).reason;
  }
}

describe('validateIdempotencyKey()', () => {
  it('accepts 1 to 255 printable ASCII characters', () => {
    expect(MAX_KEY_LENGTH).toBe(255);
    for (const key of ['a', '8e03978e-40d5-43e8-bc93-6894a57f9324', ' ', '~'.repeat(255), ' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~']) {
      expect(reasonOf(key)).toBeUndefined();
    }
  });

  it('rejects an empty, too long, non-string key and one with a character outside printable ASCII', () => {
    expect(reasonOf('')).toBe('empty');
    expect(reasonOf('x'.repeat(256))).toBe('too-long');
    expect(reasonOf(undefined)).toBe('not-a-string');
    expect(reasonOf(null)).toBe('not-a-string');
    expect(reasonOf(42)).toBe('not-a-string');
    expect(reasonOf(['k'])).toBe('not-a-string');
    for (const bad of ['a\nb', 'a\r\nSet-Cookie: x', '\u0000', 'tab\t', '\u007f', 'é', '🙂', 'a\u2028b']) expect(reasonOf(bad)).toBe('invalid-character');
  });

  it('never echoes the key in the message (it may carry control characters for a log)', () => {
    const error = (() => {
      try {
        validateIdempotencyKey('evil\u001b[31m');
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('the key was accepted');
    })();
    expect(error.message).not.toContain('evil');
    expect(error.message).toContain('index 4');
  });

  it('checks the length before scanning, so a huge hostile key costs nothing', () => {
    const huge = 'x'.repeat(10_000_000);
    const started = performance.now();
    expect(reasonOf(huge)).toBe('too-long');
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('run() with an invalid key', () => {
  it('rejects before the store is asked and before fn runs; emits `invalid`', async () => {
    const idem = idempotency({ store: memoryStore() });
    const events: IdempotencyOutcomeEvent[] = [];
    idem.onOutcome((event) => events.push(event));
    let calls = 0;
    for (const key of ['', 'k'.repeat(256), 'line\nbreak']) {
      await expect(idem.run(key, 'fp', async () => ++calls)).rejects.toSatisfy(isInvalidIdempotencyKeyError);
    }
    expect(calls).toBe(0);
    expect(events.map((e) => e.outcome)).toEqual(['invalid', 'invalid', 'invalid']);
    await idem.close();
  });
});
