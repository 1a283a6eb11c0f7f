import type { L2Operation } from './events.ts';
import type { CacheEntry, RemoteTier, Serializer } from './types.ts';

/**
 * The L2 tier as the core sees it: keys and tags qualified with the namespace (so two caches with
 * different namespaces on one Redis share neither entries nor tag sets), values (de)serialised, and
 * every rejection turned into a miss or a skipped write plus an `onL2Error` event. The tier bounds
 * its own calls and sheds them behind its breaker (see `RemoteTier`), so nothing here waits on it
 * without a bound.
 */
export class Remote<V> {
  readonly #tier: RemoteTier;
  readonly #serializer: Serializer<V>;
  readonly #prefix: string;
  readonly #onError: (operation: L2Operation, error: unknown) => void;

  constructor(tier: RemoteTier, serializer: Serializer<V>, namespace: string, onError: (operation: L2Operation, error: unknown) => void) {
    this.#tier = tier;
    this.#serializer = serializer;
    this.#prefix = namespace === '' ? '' : `${namespace}:`;
    this.#onError = onError;
  }

  qualify(key: string): string {
    return this.#prefix + key;
  }

  /** The tags of an entry read from L2, without the namespace; a tag of another namespace is dropped. */
  #unqualifyTags(tags: readonly string[]): readonly string[] {
    const prefix = this.#prefix;
    if (prefix === '') return tags;
    return tags.filter((tag) => tag.startsWith(prefix)).map((tag) => tag.slice(prefix.length));
  }

  /** The entry, or undefined on a miss, an L2 error or a value that does not deserialise. */
  async get(key: string): Promise<CacheEntry<V> | undefined> {
    let stored: CacheEntry<string> | undefined;
    try {
      stored = await this.#tier.get(this.qualify(key));
    } catch (error) {
      this.#onError('get', error);
      return undefined;
    }
    if (stored === undefined || stored === null) return undefined;
    try {
      const value = this.#serializer.deserialize(stored.value);
      const tags = stored.tags === undefined ? undefined : this.#unqualifyTags(stored.tags);
      return { value, freshUntil: stored.freshUntil, staleUntil: stored.staleUntil, ...(tags !== undefined && tags.length > 0 ? { tags } : {}) };
    } catch (error) {
      this.#onError('deserialize', error);
      return undefined;
    }
  }

  async set(key: string, entry: CacheEntry<V>): Promise<void> {
    let text: string;
    try {
      text = this.#serializer.serialize(entry.value);
    } catch (error) {
      this.#onError('serialize', error);
      // The old L2 value would now be older than L1's: drop it rather than let another instance load it.
      await this.delete([key]);
      return;
    }
    const stored: CacheEntry<string> = {
      value: text,
      freshUntil: entry.freshUntil,
      staleUntil: entry.staleUntil,
      ...(entry.tags ? { tags: entry.tags.map((tag) => this.qualify(tag)) } : {}),
    };
    try {
      await this.#tier.set(this.qualify(key), stored);
    } catch (error) {
      this.#onError('set', error);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    try {
      await this.#tier.delete(keys.map((key) => this.qualify(key)));
    } catch (error) {
      this.#onError('delete', error);
    }
  }

  async deleteTags(tags: readonly string[]): Promise<void> {
    try {
      await this.#tier.deleteTags(tags.map((tag) => this.qualify(tag)));
    } catch (error) {
      this.#onError('deleteTags', error);
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    try {
      await this.#tier.deletePrefix(this.qualify(prefix));
    } catch (error) {
      this.#onError('deletePrefix', error);
    }
  }
}
