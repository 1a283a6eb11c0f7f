import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CapturedResponse, HeaderMap } from '@breakwater/cache';
import { BodyCollector, type OutgoingHeaderValue } from '@breakwater/idempotency';
import { headersFrom } from './write-head-headers.ts';

type Write = ServerResponse['write'];
type End = ServerResponse['end'];
type WriteHead = ServerResponse['writeHead'];

/**
 * Watches one response through its own `writeHead`/`write`/`end` (instance properties: the
 * prototype and other responses are untouched) and passes everything on at once: unlike the
 * idempotency capture it holds nothing back. When the handler calls `end()`, `onEnd` gets the
 * whole response (synchronously, before it is sent, so the next request already finds it in L1),
 * or is not called when the body outgrew `maxBodyBytes`. A response that never ends (the client
 * left, the socket was destroyed) is never reported.
 */
export function recordResponse(res: ServerResponse, maxBodyBytes: number, onEnd: (response: CapturedResponse) => void): void {
  const collector = new BodyCollector(maxBodyBytes);
  const ownWriteHead = res.writeHead;
  const ownWrite = res.write;
  const ownEnd = res.end;
  let status: number | undefined;
  let headHeaders: Record<string, OutgoingHeaderValue> | undefined;
  let ended = false;
  const wrappers = {
    writeHead: function writeHead(this: ServerResponse, ...args: unknown[]) {
      if (!ended) {
        if (typeof args[0] === 'number') status = args[0];
        // writeHead(status, headers) or writeHead(status, reason, headers).
        const headers = typeof args[1] === 'string' ? args[2] : args[1];
        if (headers !== undefined && headers !== null && typeof headers === 'object') {
          headHeaders = { ...headHeaders, ...headersFrom(headers as OutgoingHttpHeaders | readonly unknown[]) };
        }
      }
      return (ownWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as WriteHead,
    write: function write(this: ServerResponse, ...args: unknown[]) {
      if (!ended) collector.add(args[0], typeof args[1] === 'string' ? args[1] : undefined);
      return (ownWrite as (...a: unknown[]) => boolean).apply(this, args);
    } as Write,
    end: function end(this: ServerResponse, ...args: unknown[]) {
      if (!ended) {
        ended = true;
        restore();
        const first = args[0];
        if (typeof first !== 'function') collector.add(first, typeof args[1] === 'string' ? args[1] : undefined);
        if (!collector.overflowed && !res.destroyed) {
          const headers: HeaderMap = { ...(res.getHeaders() as HeaderMap), ...headHeaders };
          onEnd({ status: status ?? res.statusCode, headers, body: collector.body() });
        }
      }
      return (ownEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as End,
  };
  // Only our own wrappers come off: a middleware that wrapped them after us keeps its own.
  function restore(): void {
    if (res.writeHead === wrappers.writeHead) res.writeHead = ownWriteHead;
    if (res.write === wrappers.write) res.write = ownWrite;
    if (res.end === wrappers.end) res.end = ownEnd;
  }
  Object.assign(res, wrappers);
}
