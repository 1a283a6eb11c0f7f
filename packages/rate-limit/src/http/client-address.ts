/** The IPv6 prefix length clients are grouped by, as express-rate-limit does. */
export const DEFAULT_IPV6_PREFIX = 56;
/** Shortest accepted prefix: a /32 is a whole ISP's allocation, shorter would merge providers. */
export const MIN_IPV6_PREFIX = 32;
export const MAX_IPV6_PREFIX = 128;

/**
 * The rate-limit key of a client address, as the framework resolved it (Express `req.ip`,
 * Fastify `request.ip`, both honouring their trust-proxy setting):
 * - IPv4 stays as it is: `203.0.113.7`;
 * - IPv4-mapped IPv6 becomes its IPv4 address (`::ffff:203.0.113.7` → `203.0.113.7`), so a
 *   dual-stack listener keys a client the same way as an IPv4 one, and the mapped block is not
 *   grouped into one shared /56 (the bug behind CVE-2026-30827);
 * - other IPv6 is grouped by its first `prefix` bits, because one subscriber usually holds a
 *   whole /56 or /64 and could otherwise rotate through 2^64 addresses:
 *   `2001:db8:1:1ff::2` → `2001:db8:1:100::/56`. At 128 the address is kept whole (canonical).
 * Anything else (a unix socket path, a non-IP key) is returned unchanged.
 *
 * Parsing is one linear pass, regex-free (no ReDoS on hostile input).
 */
export function clientAddressKey(address: string, prefix: number = DEFAULT_IPV6_PREFIX): string {
  if (!address.includes(':')) return address;
  // A scoped address (`fe80::1%eth0`): the zone names a local interface, not a client.
  const zone = address.indexOf('%');
  const groups = parseIPv6(zone === -1 ? address : address.slice(0, zone));
  if (groups === undefined) return address;
  if (isIPv4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  if (prefix >= MAX_IPV6_PREFIX) return formatIPv6(groups);
  return `${formatIPv6(maskIPv6(groups, prefix))}/${prefix}`;
}

/** `::ffff:0:0/96`: eighty zero bits, then sixteen one bits. */
function isIPv4Mapped(groups: readonly number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

/**
 * The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text: hex groups of 1–4 digits, at
 * most one `::`, an optional trailing dotted quad), or undefined for anything else. One pass
 * over the characters, no regex: Node's `isIPv6()` is a regex that costs microseconds per call.
 */
function parseIPv6(text: string): number[] | undefined {
  const length = text.length;
  if (length < 2 || length > 45) return undefined;
  const head: number[] = [];
  const tail: number[] = [];
  let groups = head;
  let gap = false;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return undefined;
    gap = true;
    groups = tail;
    i = 2;
    if (i === length) return new Array<number>(8).fill(0);
  }
  for (;;) {
    const start = i;
    let value = 0;
    while (i < length && i - start < 5) {
      const digit = hexValue(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      i++;
    }
    if (i < length && text.charCodeAt(i) === DOT) {
      // A dotted quad ends the address and fills its last two groups.
      const quad = parseIPv4(text, start);
      if (quad === undefined) return undefined;
      groups.push(quad >>> 16, quad & 0xffff);
      break;
    }
    if (i === start || i - start > 4) return undefined;
    groups.push(value);
    if (i === length) break;
    if (text.charCodeAt(i) !== COLON) return undefined;
    i++;
    if (i < length && text.charCodeAt(i) === COLON) {
      if (gap) return undefined;
      gap = true;
      groups = tail;
      i++;
      if (i === length) break;
    } else if (i === length) {
      return undefined;
    }
  }
  const count = head.length + tail.length;
  if (gap ? count > 7 : count !== 8) return undefined;
  const zeros = 8 - count;
  const out = head;
  for (let z = 0; z < zeros; z++) out.push(0);
  for (const group of tail) out.push(group);
  return out;
}

/** A dotted quad from `start` to the end of `text` (four decimal octets, no leading zeros), as a 32-bit number. */
function parseIPv4(text: string, start: number): number | undefined {
  let result = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    const begin = i;
    let value = 0;
    while (i < text.length && i - begin < 4) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      value = value * 10 + (code - 0x30);
      i++;
    }
    const digits = i - begin;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(begin) === 0x30)) return undefined;
    result = result * 256 + value;
    octets++;
    if (octets < 4) {
      if (text.charCodeAt(i) !== DOT) return undefined;
      i++;
    }
  }
  return i === text.length ? result : undefined;
}

const COLON = 0x3a;
const DOT = 0x2e;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function maskIPv6(groups: number[], prefix: number): number[] {
  for (let i = 0; i < 8; i++) {
    const bits = prefix - i * 16;
    if (bits <= 0) groups[i] = 0;
    else if (bits < 16) groups[i] = groups[i]! & (0xffff << (16 - bits)) & 0xffff;
  }
  return groups;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += groups[i]!.toString(16);
  }
  return text;
}
