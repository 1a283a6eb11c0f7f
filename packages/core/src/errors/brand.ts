/**
 * The ESM and CJS builds of a package are two copies, so `instanceof` across them fails
 * (`new cjs.BreakwaterError() instanceof esm.BreakwaterError === false`). Every error class
 * therefore carries a `Symbol.for` brand (shared across copies) and answers `instanceof` and
 * its `isXError()` guard by the brand, as undici does.
 */
export function errorBrand(code: string): symbol {
  return Symbol.for(`breakwater.error.${code}`);
}

export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** The brand every Breakwater error carries, whatever its class. */
export const breakwaterErrorBrand: symbol = errorBrand('base');
