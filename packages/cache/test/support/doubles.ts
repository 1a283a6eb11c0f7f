import type { CacheEntry, InvalidationBus, InvalidationMessage, LoaderLock, LockLease, RemoteTier } from '@breakwater/cache';

function disposable(dispose: () => void) {
  return { dispose, [Symbol.dispose]: dispose };
}

/** An in-memory RemoteTier with a switch that makes every call reject (an outage) and call counts. */
export class MemoryTier implements RemoteTier {
  readonly entries = new Map<string, CacheEntry<string>>();
  down = false;
  readonly calls = { get: 0, set: 0, delete: 0, deleteTags: 0, deletePrefix: 0 };
  /** When set, `get` reads the entry at once but answers only when this promise resolves (a slow tier). */
  getGate: Promise<void> | undefined;
  /** When set, `set` stores the entry only when this promise resolves, and rejects if it rejects (a hung or failing write). */
  setGate: Promise<void> | undefined;

  #check(): void {
    if (this.down) throw new Error('L2 down');
  }

  async get(key: string) {
    this.calls.get++;
    this.#check();
    const entry = this.entries.get(key);
    if (this.getGate) await this.getGate;
    return entry;
  }
  async set(key: string, entry: CacheEntry<string>) {
    this.calls.set++;
    this.#check();
    if (this.setGate) await this.setGate;
    this.entries.set(key, entry);
  }
  async delete(keys: readonly string[]) {
    this.calls.delete++;
    this.#check();
    for (const key of keys) this.entries.delete(key);
  }
  async deleteTags(tags: readonly string[]) {
    this.calls.deleteTags++;
    this.#check();
    for (const [key, entry] of this.entries) if (entry.tags?.some((tag) => tags.includes(tag))) this.entries.delete(key);
  }
  async deletePrefix(prefix: string) {
    this.calls.deletePrefix++;
    this.#check();
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
  async close() {}
}

/** A bus shared by several caches in one process: a publisher does not receive its own messages. */
export class MemoryBusHub {
  readonly #listeners = new Set<{ owner: object; listener: (message: InvalidationMessage) => void }>();
  readonly published: InvalidationMessage[] = [];
  down = false;

  connect(): InvalidationBus {
    const owner = {};
    return {
      publish: async (message) => {
        if (this.down) throw new Error('bus down');
        this.published.push(message);
        for (const entry of this.#listeners) if (entry.owner !== owner) entry.listener(message);
      },
      subscribe: (listener) => {
        const entry = { owner, listener };
        this.#listeners.add(entry);
        return disposable(() => this.#listeners.delete(entry));
      },
      close: async () => {},
    };
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}

/** A LoaderLock over one map, shared by caches standing for instances; `down` makes acquire reject. */
export class MemoryLock implements LoaderLock {
  readonly held = new Map<string, object>();
  down = false;
  acquired = 0;

  async acquire(key: string): Promise<LockLease | undefined> {
    if (this.down) throw new Error('lock store down');
    if (this.held.has(key)) return undefined;
    const token = {};
    this.held.set(key, token);
    this.acquired++;
    return {
      release: async () => {
        if (this.held.get(key) === token) this.held.delete(key);
      },
    };
  }
}
