import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { BodyCollector, IdempotencyNotStorableError, toStoredResponse, type OutgoingHeaderValue, type StoredHttpResponse } from '@breakwater/idempotency';
import { headersFrom } from './write-head-headers.ts';

type Write = ServerResponse['write'];
type End = ServerResponse['end'];
type WriteHead = ServerResponse['writeHead'];

/**
 * Watches one response through its own `writeHead`/`write`/`end` (instance properties, so the
 * prototype and other responses are untouched). `outcome` resolves with the stored form when the
 * handler calls `end()`, even if the client has left by then: the work is done, and a retry
 * should get it, not run it again. The real `end()` waits until `release()`, so the record is
 * written before the client sees the response, and a retry right after it replays instead of
 * getting 409.
 */
export class ResponseCapture {
  readonly outcome: Promise<StoredHttpResponse>;
  readonly #res: ServerResponse;
  readonly #collector: BodyCollector;
  readonly #write: Write;
  readonly #end: End;
  readonly #writeHead: WriteHead;
  #status: number | undefined;
  #headHeaders: Record<string, OutgoingHeaderValue> | undefined;
  #ended = false;
  #endArgs: unknown[] | undefined;
  #released = false;
  readonly #wrappers: { readonly writeHead: WriteHead; readonly write: Write; readonly end: End };
  #resolve!: (value: StoredHttpResponse) => void;
  #reject!: (error: unknown) => void;

  constructor(res: ServerResponse, maxBodyBytes: number) {
    this.#res = res;
    this.#collector = new BodyCollector(maxBodyBytes);
    this.outcome = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#write = res.write;
    this.#end = res.end;
    this.#writeHead = res.writeHead;
    const capture = this;
    // While the handler's end() is held back, other writers (a deadline's 504) are dropped: the
    // response that goes out is the one being stored.
    this.#wrappers = {
      writeHead: function writeHead(this: ServerResponse, ...args: unknown[]) {
        if (capture.#holding()) return this;
        capture.#onWriteHead(args);
        return (capture.#writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as WriteHead,
      write: function write(this: ServerResponse, ...args: unknown[]) {
        if (capture.#holding()) return true;
        if (!capture.#ended) capture.#collector.add(args[0], typeof args[1] === 'string' ? args[1] : undefined);
        return (capture.#write as (...a: unknown[]) => boolean).apply(this, args);
      } as Write,
      end: function end(this: ServerResponse, ...args: unknown[]) {
        if (capture.#holding()) return this;
        // After release, a late end() goes straight through: Node ignores it on an ended response.
        if (capture.#ended) return (capture.#end as (...a: unknown[]) => ServerResponse).apply(this, args);
        capture.#onEnd(args);
        return this;
      } as End,
    };
    Object.assign(res, this.#wrappers);
  }

  /**
   * Stop waiting for the handler (its claim was lost, or the idempotency object closed): the
   * outcome rejects with `reason`, so nothing is stored and the key is released. Does nothing once
   * the handler ended its response (that outcome is already on its way to the store). The
   * response itself is not touched: after `release()` the handler's own writes go straight to
   * the client, unstored.
   */
  abort(reason: unknown): void {
    if (!this.#ended) this.#reject(reason);
  }

  /** The handler could not run (client already gone): put the methods back, nothing to send. */
  abandon(error: unknown): void {
    this.#reject(error);
    this.release();
  }

  /**
   * Sends what `end()` held back and puts the response's own methods back; called once the
   * outcome is stored or released. Idempotent.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const res = this.#res;
    // Only our own wrappers are removed: a middleware that wrapped them after us keeps its own.
    if (res.writeHead === this.#wrappers.writeHead) res.writeHead = this.#writeHead;
    if (res.write === this.#wrappers.write) res.write = this.#write;
    if (res.end === this.#wrappers.end) res.end = this.#end;
    if (this.#endArgs !== undefined) (this.#end as (...a: unknown[]) => ServerResponse).apply(res, this.#endArgs);
  }

  #holding(): boolean {
    return this.#ended && !this.#released;
  }

  #onWriteHead(args: unknown[]): void {
    if (this.#ended) return;
    if (typeof args[0] === 'number') this.#status = args[0];
    // writeHead(status, headers) or writeHead(status, reason, headers).
    const headers = typeof args[1] === 'string' ? args[2] : args[1];
    if (headers !== undefined && headers !== null && typeof headers === 'object') {
      this.#headHeaders = { ...this.#headHeaders, ...headersFrom(headers as OutgoingHttpHeaders | readonly unknown[]) };
    }
  }

  #onEnd(args: unknown[]): void {
    this.#ended = true;
    this.#endArgs = args;
    const first = args[0];
    if (typeof first !== 'function') this.#collector.add(first, typeof args[1] === 'string' ? args[1] : undefined);
    if (this.#collector.overflowed) {
      this.#reject(new IdempotencyNotStorableError('the response body is larger than maxBodyBytes'));
      return;
    }
    const res = this.#res;
    const status = this.#status ?? res.statusCode;
    const headers = { ...(res.getHeaders() as Record<string, OutgoingHeaderValue>), ...this.#headHeaders };
    this.#resolve(toStoredResponse(status, headers, this.#collector.body()));
  }
}
