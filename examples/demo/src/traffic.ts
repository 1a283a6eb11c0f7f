import { createHash } from 'node:crypto';
import type { DemoServices } from './services.ts';

/** What the current phase does to the traffic mix. */
export interface TrafficShape {
  /** Share of payments that repeat a recent key (a client retrying, or a double-click). */
  duplicateShare: number;
  /** Share of payments sent by the one hot client (a traffic spike over its rate limit). */
  hotClientShare: number;
}

export interface PaymentRecord {
  /** The charge id of each key answered 201: a replay must return the same one. */
  readonly chargeByKey: Map<string, string>;
  /** Keys whose answers disagreed (a replay with another charge id): must stay 0. */
  conflictingAnswers: number;
}

const CLIENTS = Array.from({ length: 8 }, (_, i) => `shop-${i + 1}`);

/**
 * The request mix: catalog reads of a skewed product set (40 %), view counts (10 %), product
 * updates (2 %) and payments (48 %), spread across the instances. Each request is named
 * `<kind>:<status>`.
 */
export function createTraffic(services: DemoServices, shape: TrafficShape): { send(n: number): Promise<string>; readonly payments: PaymentRecord } {
  const payments: PaymentRecord = { chargeByKey: new Map(), conflictingAnswers: 0 };
  const recentKeys: { client: string; key: string }[] = [];

  const pay = async (n: number): Promise<string> => {
    let client = CLIENTS[n % CLIENTS.length]!;
    let key = `${client}-${n}`;
    if (recentKeys.length > 0 && fraction(n, 7) < shape.duplicateShare) ({ client, key } = recentKeys[n % recentKeys.length]!);
    else if (fraction(n, 13) < shape.hotClientShare) ({ client, key } = { client: 'shop-hot', key: `shop-hot-${n}` });
    recentKeys.push({ client, key });
    if (recentKeys.length > 50) recentKeys.shift();
    const instance = services.payments[n % services.payments.length]!;
    const response = await fetch(`${instance.url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': client, 'idempotency-key': `"${key}"` },
      body: JSON.stringify({ amount: 1_000 + (hash(key) % 9_000), currency: 'EUR' }),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: string };
    if (response.status === 201 && body.id !== undefined) {
      const known = payments.chargeByKey.get(`${client}\n${key}`);
      if (known !== undefined && known !== body.id) payments.conflictingAnswers++;
      payments.chargeByKey.set(`${client}\n${key}`, body.id);
    }
    const replayed = response.headers.get('idempotent-replayed') === 'true';
    return `payment:${response.status}${replayed ? ':replayed' : ''}`;
  };

  const catalog = (n: number) => services.catalogs[n % services.catalogs.length]!.url;
  const product = (n: number) => `p${1 + (hash(String(n)) % 100 < 80 ? hash(`h${n}`) % 50 : hash(`c${n}`) % 500)}`;

  const send = async (n: number): Promise<string> => {
    const slot = n % 50;
    if (slot < 20) {
      const response = await fetch(`${catalog(n)}/products/${product(n)}`);
      await response.body?.cancel();
      return `product:${response.status}`;
    }
    if (slot < 25) {
      const response = await fetch(`${catalog(n)}/products/${product(n)}/views`, { method: 'POST' });
      await response.body?.cancel();
      return `views:${response.status}`;
    }
    if (slot === 25) {
      const id = product(n);
      const response = await fetch(`${catalog(n)}/products/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Product ${id} (rev ${n})`, priceCents: 100 + (n % 5_000) }),
      });
      await response.body?.cancel();
      return `update:${response.status}`;
    }
    return pay(n);
  };
  return { send, payments };
}

/** A stable pseudo-random number in [0, 1) for request n (repeatable runs, no shared generator). */
function fraction(n: number, salt: number): number {
  return (hash(`${salt}:${n}`) % 10_000) / 10_000;
}

function hash(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}

