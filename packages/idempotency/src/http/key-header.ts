import { MAX_KEY_LENGTH, validateIdempotencyKey } from '../key.ts';
import { isInvalidIdempotencyKeyError } from '../errors/invalid-idempotency-key-error.ts';

/** What an `Idempotency-Key` request header held. */
export type KeyHeader =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'key'; readonly key: string };

const MISSING: KeyHeader = { kind: 'missing' };

/**
 * Reads the key from the header's field lines (Node's `req.headersDistinct[name]`). The IETF
 * draft makes the value a Structured Field String (`"8e03978e-…"`); a bare value (`8e03978e-…`,
 * as Stripe clients send) is accepted too. A key is 1–255 printable ASCII characters (space
 * allowed inside, no control characters), and the header appears once. Linear time, no regex.
 */
export function readKeyHeader(lines: readonly string[] | string | undefined, header: string): KeyHeader {
  if (lines === undefined) return MISSING;
  const list = typeof lines === 'string' ? [lines] : lines;
  if (list.length === 0) return MISSING;
  if (list.length > 1) return invalid(`The ${header} header must appear once; it appeared ${list.length} times.`);
  const raw = list[0]!.trim();
  const key = raw.startsWith('"') ? unquote(raw) : raw;
  if (key === undefined) return invalid(`The ${header} header is not a valid quoted string.`);
  // The package's own rule, so the adapters and run() can never disagree about a key.
  try {
    validateIdempotencyKey(key);
  } catch (error) {
    if (!isInvalidIdempotencyKeyError(error)) throw error;
    if (error.reason === 'empty') return invalid(`The ${header} header is empty.`);
    if (error.reason === 'too-long') return invalid(`The ${header} header is longer than ${MAX_KEY_LENGTH} characters.`);
    return invalid(`The ${header} header must hold printable ASCII characters only.`);
  }
  return { kind: 'key', key };
}

/** An sf-string (RFC 9651 §3.3.3): `"…"` with `\"` and `\\` escapes; undefined when malformed. */
function unquote(text: string): string | undefined {
  if (text.length < 2 || !text.endsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < text.length - 1; i++) {
    const char = text[i]!;
    if (char === '"') return undefined;
    if (char === '\\') {
      const next = text[i + 1];
      // `i + 1 === text.length - 1` would make the closing quote an escaped one.
      if ((next !== '"' && next !== '\\') || i + 1 === text.length - 1) return undefined;
      out += next;
      i++;
    } else {
      out += char;
    }
  }
  return out;
}

function invalid(detail: string): KeyHeader {
  return { kind: 'invalid', detail };
}
