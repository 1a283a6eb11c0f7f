import type { ServiceProcess } from './service-process.ts';

/** One payment answer, for the per-client rate-limit check. */
export interface PaymentSample {
  readonly client: string;
  readonly sentAt: number;
  readonly status: number;
}

export interface SoakTraffic {
  send(n: number): Promise<string>;
  /** Keys the service answered 201 for, with the charge id each answer carried. */
  readonly succeeded: Map<string, string>;
  /** Replays that carried another charge id than the first answer (must stay 0). */
  conflictingAnswers: number;
  readonly samples: PaymentSample[];
  /** Set by the schedule: share of payments that repeat a recent key. */
  duplicateShare: number;
}

const CLIENTS = ['shop-1', 'shop-2', 'shop-3', 'shop-4'];

/**
 * Half payments (one hot client sends 40 % of them, over its limit at the CI rate), half catalog traffic
 * (reads and view counts), each sent to a service instance that is up — as a load balancer
 * would route, taking an instance out as soon as its shutdown starts.
 */
export function soakTraffic(payments: () => readonly ServiceProcess[], catalogs: () => readonly ServiceProcess[], started: number): SoakTraffic {
  const recent: string[] = [];
  const traffic: SoakTraffic = {
    succeeded: new Map(),
    conflictingAnswers: 0,
    samples: [],
    duplicateShare: 0.02,
    async send(n) {
      const pick = (list: readonly ServiceProcess[]) => {
        const up = list.filter((service) => service.up);
        return up[n % up.length];
      };
      if (n % 2 === 1) {
        const catalog = pick(catalogs());
        if (catalog === undefined) return 'catalog:none-up';
        const id = `p${1 + ((n * 7919) % 300)}`;
        const response = n % 6 === 1 ? await fetch(`${catalog.url}/products/${id}/views`, { method: 'POST' }) : await fetch(`${catalog.url}/products/${id}`);
        await response.body?.cancel();
        return `${n % 6 === 1 ? 'views' : 'product'}:${response.status}`;
      }
      const service = pick(payments());
      if (service === undefined) return 'payment:none-up';
      const duplicate = recent.length > 0 && (n * 2654435761) % 1000 < traffic.duplicateShare * 1000;
      const client = (n >> 1) % 10 < 4 ? 'shop-hot' : CLIENTS[(n >> 1) % CLIENTS.length]!;
      const clientKey = duplicate ? recent[n % recent.length]! : `${client}\n${n}`;
      recent.push(clientKey);
      if (recent.length > 100) recent.shift();
      const [sender, key] = clientKey.split('\n') as [string, string];
      const sentAt = performance.now() - started;
      const response = await fetch(`${service.url}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': sender, 'idempotency-key': `"${key}"` },
        body: JSON.stringify({ amount: 500 + (Number(key) % 5_000), currency: 'EUR' }),
      });
      const body = (await response.json().catch(() => ({}))) as { id?: string };
      traffic.samples.push({ client: sender, sentAt, status: response.status });
      if (response.status === 201 && body.id !== undefined) {
        const known = traffic.succeeded.get(clientKey);
        if (known !== undefined && known !== body.id) traffic.conflictingAnswers++;
        traffic.succeeded.set(clientKey, body.id);
      }
      return `payment:${response.status}${response.headers.get('idempotent-replayed') === 'true' ? ':replayed' : ''}`;
    },
  };
  return traffic;
}
