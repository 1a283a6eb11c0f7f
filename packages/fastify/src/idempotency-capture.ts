import { BodyCollector, IdempotencyNotStorableError, toStoredResponse, type OutgoingHeaderValue, type StoredHttpResponse } from '@breakwater/idempotency';

/**
 * One guarded request's reply, seen in the route's onSend hook. `outcome` resolves with the stored
 * form of a string, Buffer or empty payload; a stream (or any other payload) cannot be replayed,
 * so it rejects and the key is released. `released` resolves once the outcome is stored or
 * released: onSend waits for it, so the record exists before the client sees the reply.
 */
export class ReplyCapture {
  readonly outcome: Promise<StoredHttpResponse>;
  readonly released: Promise<void>;
  readonly #maxBodyBytes: number;
  #resolve!: (value: StoredHttpResponse) => void;
  #reject!: (error: unknown) => void;
  #release!: () => void;
  #settled = false;

  constructor(maxBodyBytes: number) {
    this.#maxBodyBytes = maxBodyBytes;
    this.outcome = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.released = new Promise((resolve) => (this.#release = resolve));
  }

  /** True once the reply was seen (or given up on). */
  get settled(): boolean {
    return this.#settled;
  }

  /** The reply Fastify is about to send. */
  finish(status: number, headers: Readonly<Record<string, OutgoingHeaderValue>>, payload: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    if (payload !== undefined && payload !== null && typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
      return this.#reject(new IdempotencyNotStorableError('a streamed reply cannot be stored'));
    }
    const collector = new BodyCollector(this.#maxBodyBytes);
    collector.add(payload);
    if (collector.overflowed) return this.#reject(new IdempotencyNotStorableError('the reply body is larger than maxBodyBytes'));
    this.#resolve(toStoredResponse(status, headers, collector.body()));
  }

  /**
   * No reply will pass onSend (hijacked, or the client left before the handler ran), or the run
   * stopped waiting for it (claim lost, idempotency object closed): the reply, if any, goes out
   * unstored.
   */
  abandon(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }

  /** The run settled: the record is written (or the key released); a held onSend may go on. */
  release(): void {
    this.#release();
  }
}
