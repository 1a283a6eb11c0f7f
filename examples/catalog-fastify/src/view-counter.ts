import type { Cache } from '@breakwater/cache';
import type { CatalogDatabase } from './database.ts';

/**
 * Page views counted in memory and persisted through the write-behind cache: each view bumps the
 * product's count synchronously (so concurrent views never overwrite each other), then hands the
 * new absolute count to `views.set()`, which coalesces a burst of views of one product into one
 * database write. Each instance counts in rows of its own (`instance`), and a product's views are
 * the sum over instances, so instances sharing a database never overwrite each other.
 */
export class ViewCounter {
  readonly #counts = new Map<string, number>();
  readonly #db: CatalogDatabase;
  readonly #views: Cache<number>;
  readonly #instance: string;
  /** Views accepted (`record()` resolved): what the database must hold once flushed. */
  accepted = 0;

  constructor(db: CatalogDatabase, views: Cache<number>, instance: string) {
    this.#db = db;
    this.#views = views;
    this.#instance = instance;
  }

  async record(id: string): Promise<number> {
    const count = (this.#counts.get(id) ?? this.#db.views(id, this.#instance)) + 1;
    this.#counts.set(id, count);
    try {
      await this.#views.set(id, count);
    } catch (error) {
      // Refused (the write-behind queue stayed full): this view is not counted. Views recorded
      // meanwhile already carry it, so take it back only when none was.
      if (this.#counts.get(id) === count) this.#counts.set(id, count - 1);
      throw error;
    }
    this.accepted++;
    return count;
  }
}
