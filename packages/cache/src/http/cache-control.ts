/**
 * `Cache-Control` as a map of lower-case directive names to their argument (`null` when there is
 * none), for requests and responses alike (RFC 9111 §5.2). A single pass over the characters, no
 * regular expression: a hostile header costs time linear in its length. Quoted arguments
 * (`max-age="60"`, `private="set-cookie"`) are unquoted. A directive given twice with different
 * arguments keeps an empty argument, which no delta-seconds accepts, so conflicting freshness
 * reads as stale (RFC 9111 §4.2.1 allows that choice) rather than as the more generous value.
 */
export type CacheControl = ReadonlyMap<string, string | null>;

const EMPTY: CacheControl = new Map();

/** Parses one header value, or several (header lines as Node hands them: a string or an array). */
export function parseCacheControl(value: string | readonly string[] | number | undefined): CacheControl {
  if (value === undefined) return EMPTY;
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : value.join(',');
  if (text.length === 0) return EMPTY;
  const directives = new Map<string, string | null>();
  const length = text.length;
  let i = 0;
  while (i < length) {
    // Skip separators and whitespace before a directive.
    while (i < length && isSeparator(text.charCodeAt(i))) i++;
    if (i >= length) break;
    const nameStart = i;
    while (i < length && !isNameEnd(text.charCodeAt(i))) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    while (i < length && isSpace(text.charCodeAt(i))) i++;
    let argument: string | null = null;
    if (i < length && text.charCodeAt(i) === EQUALS) {
      i++;
      while (i < length && isSpace(text.charCodeAt(i))) i++;
      if (i < length && text.charCodeAt(i) === QUOTE) {
        i++;
        let unquoted = '';
        let chunkStart = i;
        while (i < length && text.charCodeAt(i) !== QUOTE) {
          if (text.charCodeAt(i) === BACKSLASH && i + 1 < length) {
            unquoted += text.slice(chunkStart, i);
            chunkStart = i + 1;
            i += 2;
            continue;
          }
          i++;
        }
        argument = unquoted + text.slice(chunkStart, i);
        if (i < length) i++; // the closing quote
      } else {
        const valueStart = i;
        while (i < length && !isNameEnd(text.charCodeAt(i))) i++;
        argument = text.slice(valueStart, i);
      }
    }
    // Anything up to the next comma is not part of the grammar: skip it.
    while (i < length && text.charCodeAt(i) !== COMMA) i++;
    if (name.length === 0) continue;
    const previous = directives.get(name);
    if (previous === undefined) directives.set(name, argument);
    else if (previous !== argument) directives.set(name, '');
  }
  return directives;
}

/** The longest delta-seconds RFC 9111 §1.2.2 asks a cache to represent; larger values are capped to it. */
export const MAX_DELTA_SECONDS = 2_147_483_648;

/**
 * A delta-seconds argument (`1*DIGIT`) as a number of seconds, capped at {@link MAX_DELTA_SECONDS};
 * `undefined` when absent, empty or not all digits.
 */
export function deltaSeconds(argument: string | null | undefined): number | undefined {
  if (argument === null || argument === undefined || argument.length === 0) return undefined;
  let seconds = 0;
  for (let i = 0; i < argument.length; i++) {
    const code = argument.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return undefined;
    seconds = seconds * 10 + (code - 0x30);
    if (seconds > MAX_DELTA_SECONDS) seconds = MAX_DELTA_SECONDS;
  }
  return seconds;
}

const COMMA = 0x2c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isSeparator(code: number): boolean {
  return code === COMMA || isSpace(code);
}

function isNameEnd(code: number): boolean {
  return code === COMMA || code === EQUALS || isSpace(code);
}
