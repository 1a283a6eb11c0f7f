/**
 * Where things live in Redis. User keys and tags are only ever appended after a fixed
 * sub-prefix, and Redis keys are binary-safe bulk strings, so no key (with `{…}`, CR/LF, glob
 * characters or 10 KB of text) can land outside `<prefix>e:` or collide with a tag set or a lock.
 * A `{…}` inside a user key only picks the Cluster slot of that one entry; we never rely on two
 * of our keys sharing a slot.
 */
export interface KeyLayout {
  entry(key: string): string;
  tagSet(tag: string): string;
  lock(key: string): string;
  /** SCAN MATCH pattern for every entry whose cache key starts with `keyPrefix`. */
  entryPattern(keyPrefix: string): string;
  /** The cache key of an entry key found by SCAN. */
  keyOf(entryKey: string): string;
  readonly channel: string;
}

export function keyLayout(prefix: string): KeyLayout {
  const entries = `${prefix}e:`;
  const tags = `${prefix}t:`;
  const locks = `${prefix}l:`;
  return {
    entry: (key) => entries + key,
    tagSet: (tag) => tags + tag,
    lock: (key) => locks + key,
    entryPattern: (keyPrefix) => `${escapeGlob(entries + keyPrefix)}*`,
    keyOf: (entryKey) => entryKey.slice(entries.length),
    channel: `${prefix}bus`,
  };
}

/**
 * Escapes the characters Redis' glob matcher (`stringmatchlen`) treats specially, so a prefix
 * such as `tenant*` matches itself and not every tenant (redis-vl-python #702 deleted other
 * tenants' keys through an unescaped SCAN MATCH).
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
