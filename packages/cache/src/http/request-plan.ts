import { parseCacheControl } from './cache-control.ts';
import type { HeaderMap } from './headers.ts';

/** Why a GET or HEAD was answered by the handler without looking in the cache. */
export type BypassReason =
  /** It carries `Authorization` and `shareAuthorizationRequests` is off. */
  | 'authorization'
  /** It carries `Cookie` and `shareCookieRequests` is off. */
  | 'cookie'
  /** `Cache-Control: no-store` or `no-cache` on the request: the client wants a fresh answer. */
  | 'request-cache-control'
  /** A `Range` request: a stored full response is not what it asked for. */
  | 'range';

/** What the cache does with one request, decided before the handler runs. */
export type RequestPlan =
  /** Not GET or HEAD: the cache leaves it alone (no lookup, no status header, nothing stored). */
  | { readonly action: 'ignore' }
  | {
      readonly action: 'lookup' | 'bypass';
      readonly reason?: BypassReason;
      /** Whether the handler's response may be stored (a GET whose request allows it). */
      readonly store: boolean;
      /** A HEAD: served from a stored GET without a body, never stored itself. */
      readonly head: boolean;
      /** It carries `Authorization` (and such requests may share): RFC 9111 §3.5 applies to storing. */
      readonly authorized: boolean;
    };

export interface CredentialSharing {
  readonly shareAuthorizationRequests: boolean;
  readonly shareCookieRequests: boolean;
}

const IGNORE: RequestPlan = { action: 'ignore' };

/**
 * Decides, from the method and the request headers (Node's map: lower-case names), whether to
 * look the request up and whether its response may be stored. Requests with credentials neither
 * read nor fill the cache unless sharing them is allowed: a response to them may be personal.
 */
export function planRequest(method: string, headers: HeaderMap, sharing: CredentialSharing): RequestPlan {
  const head = method === 'HEAD';
  if (!head && method !== 'GET') return IGNORE;
  const authorized = headers['authorization'] !== undefined;
  if (authorized && !sharing.shareAuthorizationRequests) return { action: 'bypass', reason: 'authorization', store: false, head, authorized };
  if (headers['cookie'] !== undefined && !sharing.shareCookieRequests) return { action: 'bypass', reason: 'cookie', store: false, head, authorized };
  const cacheControl = parseCacheControl(headers['cache-control']);
  // RFC 9111 §5.2.1.5: a request's no-store forbids storing its response too.
  if (cacheControl.has('no-store')) return { action: 'bypass', reason: 'request-cache-control', store: false, head, authorized };
  if (cacheControl.has('no-cache')) return { action: 'bypass', reason: 'request-cache-control', store: !head, head, authorized };
  if (headers['range'] !== undefined) return { action: 'bypass', reason: 'range', store: !head, head, authorized };
  return { action: 'lookup', store: !head, head, authorized };
}
