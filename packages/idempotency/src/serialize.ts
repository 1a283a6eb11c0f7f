/**
 * The stored text of an outcome or step result. Throws a TypeError for what JSON cannot carry
 * (`undefined`, a function, a BigInt, a cycle): a replay must return what the first call did.
 */
export function serialize(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`The ${what} must be a JSON value: ${(error as Error).message}`, { cause: error });
  }
  if (text === undefined) throw new TypeError(`The ${what} must be a JSON value, got ${typeof value}`);
  return text;
}

/** Byte length of `text` in UTF-8, without encoding it. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
