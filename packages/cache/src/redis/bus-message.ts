import type { InvalidationMessage } from '../types.ts';

/** What travels on the channel: a format version, the sender's id, and the message. */
interface WireMessage {
  readonly v: 1;
  readonly i: string;
  readonly m: InvalidationMessage;
}

export function encodeBusMessage(instanceId: string, message: InvalidationMessage): string {
  const wire: WireMessage = { v: 1, i: instanceId, m: message };
  return JSON.stringify(wire);
}

/**
 * The sender and the message, or `undefined` for a payload we cannot trust: anyone who can
 * PUBLISH on the channel can send one, so every field is checked and nothing else is copied.
 * `all` is refused: only a bus itself raises it, for its own listeners, after a reconnect.
 */
export function decodeBusMessage(payload: string): { readonly from: string; readonly message: InvalidationMessage } | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isRecord(wire) || wire.v !== 1 || typeof wire.i !== 'string' || !isRecord(wire.m)) return undefined;
  const m = wire.m;
  switch (m.kind) {
    case 'keys':
      return isStrings(m.keys) ? { from: wire.i, message: { kind: 'keys', keys: m.keys } } : undefined;
    case 'tags':
      return isStrings(m.tags) ? { from: wire.i, message: { kind: 'tags', tags: m.tags } } : undefined;
    case 'prefix':
      return typeof m.prefix === 'string' ? { from: wire.i, message: { kind: 'prefix', prefix: m.prefix } } : undefined;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
