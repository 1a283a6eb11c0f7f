import { createHash } from 'node:crypto';

/**
 * The bank's `Idempotency-Key` (and charge reference) for a client's payment: derived from the
 * client and the `Idempotency-Key` header it sent, not from one run of the handler. If a run's
 * answer is lost and the client's retry runs the handler again, the bank still sees one key and
 * charges once. The demo and the soak use it to find each payment in the bank's ledger.
 */
export function bankKeyFor(client: string, idempotencyKeyHeader: string | undefined): string {
  return createHash('sha256').update(`${client}\n${idempotencyKeyHeader}`).digest('hex');
}
