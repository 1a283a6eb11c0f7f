import type { OutgoingHttpHeaders } from 'node:http';
import type { OutgoingHeaderValue } from '@breakwater/idempotency';

/** writeHead's headers: an object, a flat `[name, value, …]` array, or `[[name, value], …]`. */
export function headersFrom(headers: OutgoingHttpHeaders | readonly unknown[]): Record<string, OutgoingHeaderValue> {
  const out: Record<string, OutgoingHeaderValue> = {};
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value as OutgoingHeaderValue;
    return out;
  }
  const pairs: [unknown, unknown][] = Array.isArray(headers[0]) ? (headers as [unknown, unknown][]) : [];
  if (pairs.length === 0) for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([headers[i], headers[i + 1]]);
  for (const [name, value] of pairs) {
    if (typeof name !== 'string') continue;
    const lower = name.toLowerCase();
    const previous = out[lower];
    const text = String(value);
    out[lower] = previous === undefined ? text : Array.isArray(previous) ? [...(previous as string[]), text] : [String(previous), text];
  }
  return out;
}
