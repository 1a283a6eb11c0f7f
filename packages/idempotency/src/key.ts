import { createHash } from 'node:crypto';
import { InvalidIdempotencyKeyError } from './errors/invalid-idempotency-key-error.ts';

/** The longest key accepted: the IETF draft and Stripe both cap keys at 255 characters. */
export const MAX_KEY_LENGTH = 255;

// Printable ASCII only (%x20-7E): what an sf-string may hold. A linear scan, no regex, so a
// hostile key costs O(length) and the length is checked first.
function firstInvalidCharacter(key: string): number {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return i;
  }
  return -1;
}

/**
 * Throws {@link InvalidIdempotencyKeyError} unless `key` is a string of 1 to 255 printable
 * ASCII characters (space to `~`). Adapters call it before reading a body to answer 400 early;
 * `run()` calls it too.
 */
export function validateIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new InvalidIdempotencyKeyError('not-a-string', `Expected the idempotency key to be a string, got ${key === null ? 'null' : typeof key}`);
  }
  if (key.length === 0) throw new InvalidIdempotencyKeyError('empty', 'The idempotency key is empty');
  if (key.length > MAX_KEY_LENGTH) {
    throw new InvalidIdempotencyKeyError('too-long', `The idempotency key has ${key.length} characters; at most ${MAX_KEY_LENGTH} are allowed`);
  }
  const at = firstInvalidCharacter(key);
  // The character itself is not echoed: it may be a control character meant for a log.
  if (at !== -1) {
    throw new InvalidIdempotencyKeyError('invalid-character', `The idempotency key has a character outside printable ASCII at index ${at}`);
  }
}

/**
 * The store id of `key` within `scope`: a SHA-256 of both, base64url. Hashing keeps hostile
 * keys out of Redis key syntax (no `{`, `}`, `*`, CR/LF, so they cannot pick a hash slot or
 * escape the prefix) and bounds the length; the JSON array keeps `('a:b', 'c')` and
 * `('a', 'b:c')` apart, and an absent scope apart from an empty one.
 */
export function recordId(scope: string | undefined, key: string): string {
  return sha256(JSON.stringify([scope ?? null, key]));
}

/** Fingerprints up to this long are stored as given (adapters pass a hex or base64 digest). */
const VERBATIM_FINGERPRINT = 64;

/**
 * The stored form of a fingerprint, bounded whatever the adapter passes: a short one as is (an
 * adapter's digest already; hashing it again would cost a hash per call), a longer one hashed.
 * The `=`/`#` marks keep a short fingerprint from ever equalling the hash of a long one.
 */
export function fingerprintDigest(fingerprint: string): string {
  return fingerprint.length <= VERBATIM_FINGERPRINT ? `=${fingerprint}` : `#${sha256(fingerprint)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
