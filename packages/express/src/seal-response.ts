import type { ServerResponse } from 'node:http';

function returnThis<T>(this: T): T {
  return this;
}

function ignoreWrite(...args: unknown[]): boolean {
  const callback = args.findLast((arg) => typeof arg === 'function') as (() => void) | undefined;
  if (callback !== undefined) process.nextTick(callback);
  return true;
}

function ignoreEnd<T>(this: T, ...args: unknown[]): T {
  ignoreWrite(...args);
  return this;
}

const SEALED = {
  setHeader: returnThis,
  setHeaders: returnThis,
  appendHeader: returnThis,
  removeHeader: returnThis,
  writeHead: returnThis,
  flushHeaders: returnThis,
  write: ignoreWrite,
  end: ignoreEnd,
};

/**
 * Makes every later write to an already answered response a no-op. A handler that ignored its
 * signal and answers after the deadline would otherwise hit ERR_HTTP_HEADERS_SENT (thrown from a
 * timer callback, that is an uncaught exception) or ERR_STREAM_WRITE_AFTER_END (an `error` event
 * nobody listens to). Only the instance changes, and only on the deadline path.
 */
export function sealResponse(res: ServerResponse): void {
  Object.assign(res, SEALED);
}
