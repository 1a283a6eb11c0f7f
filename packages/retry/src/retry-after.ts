/**
 * `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. Parsed without Date.parse,
 * which accepts nonsense such as "tomorrow 5"; every pattern here is anchored and has no nested
 * repetition, so parsing is linear in the (capped) input length.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** Sun, 06 Nov 1994 08:49:37 GMT (the one format senders must use). */
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** Sunday, 06-Nov-94 08:49:37 GMT (obsolete RFC 850). */
const RFC850_DATE = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** Sun Nov  6 08:49:37 1994 (obsolete asctime; the day is space-padded). */
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** Longer values are not a valid Retry-After; refusing them early bounds the work per header. */
const MAX_LENGTH = 64;

/**
 * Parses a `Retry-After` value into a delay in ms from `epochNow` (ms since the epoch). Returns
 * `undefined` for anything invalid, so a bad header is ignored rather than trusted; a date in
 * the past gives 0.
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()); // ms until then, or 0
 */
export function parseRetryAfter(value: string | null | undefined, epochNow: number): number | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  const text = value.trim();
  if (text.length === 0) return undefined;
  if (isDigits(text)) return Number(text) * 1_000;
  const date = parseHttpDate(text, epochNow);
  return date === undefined ? undefined : Math.max(0, date - epochNow);
}

/**
 * Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 tells recipients to accept, into
 * ms since the epoch. `epochNow` resolves the two-digit years of RFC 850 dates.
 */
export function parseHttpDate(text: string, epochNow: number): number | undefined {
  if (text.length > MAX_LENGTH) return undefined;
  let match = IMF_FIXDATE.exec(text);
  if (match !== null) return toEpoch(Number(match[3]), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = RFC850_DATE.exec(text);
  if (match !== null) return toEpoch(fullYear(Number(match[3]), epochNow), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = ASCTIME_DATE.exec(text);
  if (match !== null) return toEpoch(Number(match[6]), match[1]!, match[2]!.trim(), match[3]!, match[4]!, match[5]!);
  return undefined;
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** RFC 9110: a two-digit year that looks more than 50 years ahead belongs to the last century. */
function fullYear(twoDigits: number, epochNow: number): number {
  const current = new Date(epochNow).getUTCFullYear();
  let year = current - (current % 100) + twoDigits;
  if (year > current + 50) year -= 100;
  return year;
}

function toEpoch(year: number, month: string, day: string, hours: string, minutes: string, seconds: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const d = Number(day);
  const h = Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  // Date.UTC would roll 31 Feb over into March; such a date is invalid, not a day in March.
  const daysInMonth = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth || h > 23 || m > 59 || s > 60) return undefined;
  return Date.UTC(year, monthIndex, d, h, m, s);
}
