import type { Serializer } from './types.ts';

/**
 * The default serializer: `JSON.stringify` / `JSON.parse`. Values must survive a JSON round trip
 * (no `undefined`, `Date` comes back as a string, no `Map`/`Set`/`BigInt`); pass your own
 * serializer (superjson, v8 `serialize` in base64, …) for anything richer.
 */
export const jsonSerializer: Serializer<any> = {
  serialize(value: unknown): string {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined, not a string: refuse it here rather than store garbage.
    if (typeof text !== 'string') throw new TypeError(`jsonSerializer cannot serialise a value of type ${typeof value}`);
    return text;
  },
  deserialize(text: string): unknown {
    return JSON.parse(text);
  },
};
