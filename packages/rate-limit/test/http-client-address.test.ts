import { describe, expect, it } from 'vitest';
import { clientAddressKey } from '@breakwater/rate-limit';

describe('clientAddressKey()', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('127.0.0.1', 128)).toBe('127.0.0.1');
  });

  it.each([
    ['::ffff:203.0.113.7'],
    ['::FFFF:203.0.113.7'],
    ['0:0:0:0:0:ffff:203.0.113.7'],
    ['::ffff:cb00:7107'],
    ['0000:0000:0000:0000:0000:FFFF:CB00:7107'],
  ])('maps the IPv4-mapped %s to 203.0.113.7, whatever the prefix', (address) => {
    expect(clientAddressKey(address)).toBe('203.0.113.7');
    expect(clientAddressKey(address, 32)).toBe('203.0.113.7');
    expect(clientAddressKey(address, 128)).toBe('203.0.113.7');
  });

  it('gives two different IPv4-mapped clients two keys (no shared ::ffff:0:0/56 bucket)', () => {
    expect(clientAddressKey('::ffff:198.51.100.1')).not.toBe(clientAddressKey('::ffff:198.51.100.2'));
  });

  it('groups IPv6 by /56 by default', () => {
    expect(clientAddressKey('2001:db8:1:1ff::2')).toBe('2001:db8:1:100::/56');
    expect(clientAddressKey('2001:db8:1:100::1')).toBe('2001:db8:1:100::/56');
    expect(clientAddressKey('2001:db8:1:1ff:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:100::/56');
    expect(clientAddressKey('2001:db8:1:200::1')).toBe('2001:db8:1:200::/56');
    expect(clientAddressKey('2001:db8:1:ff::1')).toBe('2001:db8:1::/56');
  });

  it.each([
    [32, '2001:db8:abcd:12ff::1', '2001:db8::/32'],
    [48, '2001:db8:abcd:12ff::1', '2001:db8:abcd::/48'],
    [60, '2001:db8:1:1ff::', '2001:db8:1:1f0::/60'],
    [64, '2001:db8:1:1ff:a:b:c:d', '2001:db8:1:1ff::/64'],
    [65, '2001:db8:1:1ff:ffff:b:c:d', '2001:db8:1:1ff:8000::/65'],
    [127, '2001:db8::3', '2001:db8::2/127'],
    [128, '2001:0DB8:0000::0001', '2001:db8::1'],
  ])('with prefix %i keys %s as %s', (prefix, address, key) => {
    expect(clientAddressKey(address, prefix)).toBe(key);
  });

  it('writes keys in RFC 5952 form, so spellings of one address share a key', () => {
    expect(clientAddressKey('2001:db8:0:0:1:0:0:1', 128)).toBe('2001:db8::1:0:0:1');
    expect(clientAddressKey('2001:0:0:1:0:0:0:1', 128)).toBe('2001:0:0:1::1');
    expect(clientAddressKey('2001:db8:0:1:1:1:1:1', 128)).toBe('2001:db8:0:1:1:1:1:1');
    expect(clientAddressKey('::', 128)).toBe('::');
    expect(clientAddressKey('::1', 128)).toBe('::1');
    expect(clientAddressKey('1::', 128)).toBe('1::');
    expect(clientAddressKey('::1')).toBe('::/56');
  });

  it('drops the zone of a scoped address', () => {
    expect(clientAddressKey('fe80::1%eth0', 128)).toBe('fe80::1');
    expect(clientAddressKey('fe80::1:2:3:4%1')).toBe('fe80::/56');
  });

  it('does not map an IPv4-compatible address (::1.2.3.4 is IPv6, and ::1 is loopback)', () => {
    expect(clientAddressKey('::1.2.3.4', 128)).toBe('::102:304');
  });

  it('returns what is not an IP address unchanged', () => {
    for (const value of ['', 'not-an-ip', 'a:b:c', '2001:db8::g', '1.2.3', ':::', 'user:42', '/tmp/app.sock']) {
      expect(clientAddressKey(value)).toBe(value);
    }
  });

  it('answers hostile input in linear time', () => {
    const hostile = `${'1:'.repeat(200_000)}x`;
    const started = performance.now();
    expect(clientAddressKey(hostile)).toBe(hostile);
    expect(clientAddressKey(`${':'.repeat(200_000)}%`)).toBe(`${':'.repeat(200_000)}%`);
    // A generous bound that only a super-linear parser could miss.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('clientAddressKey() against Node and WHATWG URL parsing', () => {
  /** A deterministic PRNG (mulberry32), so a failure reproduces. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Random IPv6 text: valid spellings (compressed, padded, upper case, dotted tails) and broken ones. */
  function candidates(count: number): string[] {
    const next = random(42);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const out: string[] = [];
    for (let n = 0; n < count; n++) {
      const groups = Array.from({ length: 8 }, () => (next() < 0.4 ? 0 : Math.floor(next() * 0x10000)));
      if (next() < 0.2) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
      let parts = groups.map((g) => (next() < 0.2 ? g.toString(16).padStart(4, '0') : g.toString(16)));
      if (next() < 0.3) parts = parts.map((p) => p.toUpperCase());
      if (next() < 0.2) parts.splice(6, 2, `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`);
      let text = parts.join(':');
      if (next() < 0.6) {
        const from = Math.floor(next() * parts.length);
        const to = from + 1 + Math.floor(next() * (parts.length - from));
        text = `${parts.slice(0, from).join(':')}::${parts.slice(to).join(':')}`;
      }
      if (next() < 0.35) {
        // Break it: drop, double or replace a character.
        const at = Math.floor(next() * text.length);
        const mutation = pick(['drop', 'double', 'replace']);
        const char = pick([':', '.', 'g', '0', 'f', '1', ' ', '%']);
        text = mutation === 'drop' ? text.slice(0, at) + text.slice(at + 1) : mutation === 'double' ? text.slice(0, at) + text[at] + text.slice(at) : text.slice(0, at) + char + text.slice(at + 1);
      }
      out.push(text);
    }
    return out;
  }

  it('accepts exactly what net.isIPv6 accepts, and writes what URL writes', async () => {
    const { isIPv6 } = await import('node:net');
    let valid = 0;
    for (const text of candidates(20_000)) {
      if (text.includes('%')) continue;
      const key = clientAddressKey(text, 128);
      if (!isIPv6(text)) {
        expect(key, text).toBe(text);
        continue;
      }
      valid++;
      const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
      if (canonical.startsWith('::ffff:') && canonical.split(':').length === 5) {
        const [high = 0, low = 0] = canonical.slice(7).split(':').map((g) => Number.parseInt(g, 16));
        expect(key, text).toBe(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
      } else {
        expect(key, text).toBe(canonical);
      }
    }
    // The generator must exercise both sides.
    expect(valid).toBeGreaterThan(5_000);
    expect(valid).toBeLessThan(19_000);
  });
});
