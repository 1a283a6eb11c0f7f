/**
 * Canonical JSON for fingerprints: object keys sorted (by UTF-16 code units, as RFC 8785 does),
 * no whitespace, numbers and strings as `JSON.stringify` writes them. `{"a":1,"b":2}` and
 * `{"b":2,"a":1}` give the same text. Values JSON cannot hold follow `JSON.stringify`: `toJSON()`
 * is honoured, `undefined`/functions/symbols are left out of objects and become `null` in arrays.
 *
 * Iterative, not recursive: a body parser hands over whatever nesting the client sent (`[[[[…`
 * 50,000 deep fits in 100 kB), and that must not overflow the stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal to emit (commas, closing brackets, keys).
  const stack: { readonly literal?: string; readonly value?: unknown; readonly inArray?: boolean }[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.literal !== undefined) {
      out.push(item.literal);
      continue;
    }
    const current = toJsonable(item.value);
    if (current === null || typeof current === 'number' || typeof current === 'boolean' || typeof current === 'string') {
      out.push(JSON.stringify(current) ?? 'null');
    } else if (typeof current === 'bigint') {
      // JSON.stringify throws on bigint; a fingerprint only needs a stable, distinct text.
      out.push(current.toString());
    } else if (typeof current !== 'object') {
      // undefined, a function or a symbol: `null` in arrays (objects skip them before this point).
      out.push('null');
    } else if (Array.isArray(current)) {
      out.push('[');
      stack.push({ literal: ']' });
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i] });
        if (i > 0) stack.push({ literal: ',' });
      }
    } else {
      const record = current as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => isWritable(toJsonable(record[key])))
        .sort();
      out.push('{');
      stack.push({ literal: '}' });
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: record[key] });
        stack.push({ literal: `${JSON.stringify(key)}:` });
        if (i > 0) stack.push({ literal: ',' });
      }
    }
  }
  return out.join('');
}

function toJsonable(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function isWritable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
