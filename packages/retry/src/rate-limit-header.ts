/**
 * The IETF `RateLimit` header (draft-ietf-httpapi-ratelimit-headers): a list of policies, each
 * with its remaining quota `r` and seconds to reset `t`, e.g. `"burst";r=0;t=5, "day";r=90;t=3600`.
 * Older drafts sent a dictionary instead: `limit=10, remaining=0, reset=5`. Both are read; a
 * hand-written scanner keeps the work linear in the (capped) header length.
 */

const MAX_LENGTH = 1_024;

/**
 * The ms until the quota that is used up resets: the largest `t` among policies with `r=0`, or
 * `undefined` when no policy is exhausted or the header is missing or malformed.
 *
 * @example
 * parseRateLimitReset('"default";r=0;t=30'); // 30000
 * parseRateLimitReset('"default";r=12;t=30'); // undefined: quota left, no need to wait
 */
export function parseRateLimitReset(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  let waitSeconds: number | undefined;
  // Dictionary form (older drafts): members spread over the list, collected across it.
  let remaining: number | undefined;
  let reset: number | undefined;
  for (const member of splitOutsideQuotes(value, ',')) {
    let r: number | undefined;
    let t: number | undefined;
    for (const param of splitOutsideQuotes(member, ';')) {
      const eq = param.indexOf('=');
      if (eq === -1) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const number = parseCount(param.slice(eq + 1).trim());
      if (number === undefined) continue;
      if (key === 'r') r = number;
      else if (key === 't') t = number;
      else if (key === 'remaining') remaining = number;
      else if (key === 'reset') reset = number;
    }
    if (r === 0 && t !== undefined) waitSeconds = Math.max(waitSeconds ?? 0, t);
  }
  if (waitSeconds === undefined && remaining === 0 && reset !== undefined) waitSeconds = reset;
  return waitSeconds === undefined ? undefined : waitSeconds * 1_000;
}

/** Non-negative integer (sf-integer without a sign), else undefined. */
function parseCount(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(text);
}

/** Splits on `separator`, ignoring separators inside "quoted strings" (with \" escapes). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
