import type { CacheEntry } from '../types.ts';

/**
 * One string per entry, so a read is one GET and a write one SET … PX: a version tag, the two
 * times, the tags as JSON (empty when none), then the value verbatim. The value is not escaped
 * or re-parsed (a JSON envelope would copy and escape it twice), and a newline inside it is
 * harmless because the header ends at the fourth newline.
 */
const VERSION = 'bw1\n';

export function encodeEntry(entry: CacheEntry<string>): string {
  const tags = entry.tags !== undefined && entry.tags.length > 0 ? JSON.stringify(entry.tags) : '';
  return `${VERSION}${entry.freshUntil}\n${entry.staleUntil}\n${tags}\n${entry.value}`;
}

/** The entry, or `undefined` for anything we did not write (a foreign or corrupted value). */
export function decodeEntry(raw: string): CacheEntry<string> | undefined {
  if (!raw.startsWith(VERSION)) return undefined;
  const freshEnd = raw.indexOf('\n', VERSION.length);
  const staleEnd = freshEnd === -1 ? -1 : raw.indexOf('\n', freshEnd + 1);
  const tagsEnd = staleEnd === -1 ? -1 : raw.indexOf('\n', staleEnd + 1);
  if (tagsEnd === -1) return undefined;
  const freshUntil = Number(raw.slice(VERSION.length, freshEnd));
  const staleUntil = Number(raw.slice(freshEnd + 1, staleEnd));
  // Infinity is legal (an entry that never expires); an empty or garbled field is not.
  if (Number.isNaN(freshUntil) || Number.isNaN(staleUntil) || freshEnd === VERSION.length || staleEnd === freshEnd + 1) return undefined;
  const value = raw.slice(tagsEnd + 1);
  if (tagsEnd === staleEnd + 1) return { value, freshUntil, staleUntil };
  const tags = parseTags(raw.slice(staleEnd + 1, tagsEnd));
  return tags === undefined ? undefined : { value, freshUntil, staleUntil, tags };
}

function parseTags(json: string): readonly string[] | undefined {
  try {
    const tags: unknown = JSON.parse(json);
    return Array.isArray(tags) && tags.every((tag) => typeof tag === 'string') ? tags : undefined;
  } catch {
    return undefined;
  }
}
