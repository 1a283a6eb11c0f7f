import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

/** What the database does wrong right now (the demo's faults): slow answers, or none at all. */
export interface DatabaseFaults {
  /** Added before every read, in ms. @default 0 */
  readonly latencyMs?: number;
  /** Every read throws. @default false */
  readonly down?: boolean;
}

/**
 * The source of truth: products and their view counts in SQLite (`node:sqlite`, embedded, no
 * server). Reads are made async and can be slowed or failed on demand, as a remote database
 * would be; writes are synchronous transactions.
 */
export class CatalogDatabase {
  readonly #db: DatabaseSync;
  #faults: Required<DatabaseFaults> = { latencyMs: 0, down: false };
  /** Reads that reached the database (cache misses and refreshes). */
  reads = 0;

  constructor(path = ':memory:', seedProducts = 1_000) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS products (id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS product_views (id TEXT NOT NULL, instance TEXT NOT NULL, views INTEGER NOT NULL, PRIMARY KEY (id, instance));
    `);
    const count = (this.#db.prepare('SELECT COUNT(*) AS n FROM products').get() as { n: number }).n;
    if (count === 0) {
      const insert = this.#db.prepare('INSERT INTO products (id, name, price_cents) VALUES (?, ?, ?)');
      this.#db.exec('BEGIN');
      for (let i = 1; i <= seedProducts; i++) insert.run(`p${i}`, `Product ${i}`, 100 + ((i * 37) % 9_900));
      this.#db.exec('COMMIT');
    }
  }

  setFaults(faults: DatabaseFaults): void {
    this.#faults = { latencyMs: 0, down: false, ...faults };
  }

  async product(id: string, signal?: AbortSignal): Promise<Product | undefined> {
    this.reads++;
    if (this.#faults.latencyMs > 0) await sleep(this.#faults.latencyMs, undefined, { signal });
    if (this.#faults.down) throw new Error('database unavailable');
    const row = this.#db.prepare('SELECT id, name, price_cents FROM products WHERE id = ?').get(id) as
      | { id: string; name: string; price_cents: number }
      | undefined;
    return row === undefined ? undefined : { id: row.id, name: row.name, priceCents: row.price_cents };
  }

  updateProduct(product: Product): void {
    if (this.#faults.down) throw new Error('database unavailable');
    const result = this.#db.prepare('UPDATE products SET name = ?, price_cents = ? WHERE id = ?').run(product.name, product.priceCents, product.id);
    if (result.changes === 0) throw new Error(`no product ${product.id}`);
  }

  /** Views of a product: all instances' when `instance` is not given. */
  views(id: string, instance?: string): number {
    const row = (
      instance === undefined
        ? this.#db.prepare('SELECT COALESCE(SUM(views), 0) AS views FROM product_views WHERE id = ?').get(id)
        : this.#db.prepare('SELECT views FROM product_views WHERE id = ? AND instance = ?').get(id, instance)
    ) as { views: number } | undefined;
    return row?.views ?? 0;
  }

  /**
   * Stores one instance's absolute view counts in one transaction (the write-behind sink). Each
   * instance owns its rows, so instances sharing the database never overwrite each other's counts.
   */
  writeViews(instance: string, entries: readonly { readonly key: string; readonly value: number }[]): void {
    if (this.#faults.down) throw new Error('database unavailable');
    const upsert = this.#db.prepare(
      'INSERT INTO product_views (id, instance, views) VALUES (?, ?, ?) ON CONFLICT(id, instance) DO UPDATE SET views = excluded.views',
    );
    this.#db.exec('BEGIN');
    try {
      for (const { key, value } of entries) upsert.run(key, instance, value);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  totalViews(): number {
    return (this.#db.prepare('SELECT COALESCE(SUM(views), 0) AS n FROM product_views').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }
}
