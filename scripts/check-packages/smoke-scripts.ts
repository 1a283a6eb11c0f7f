// The scripts the consumer runs: one requires every subpath (CJS), one imports it (ESM) and compares.
export const CJS_SMOKE = String.raw`
'use strict';
const specifiers = JSON.parse(process.argv[2]);
const results = {};
for (const specifier of specifiers) {
  try {
    const exported = require(specifier);
    results[specifier] = { ok: true, keys: Object.keys(exported).filter((key) => key !== '__esModule').sort() };
  } catch (error) {
    results[specifier] = { ok: false, error: String(error && error.stack || error) };
  }
}
process.stdout.write(JSON.stringify(results));
`;

/**
 * import() of every subpath, then the dual-package checks against the CJS copy (loaded with
 * createRequire): every exported Error subclass, constructed from the CJS copy, must be an
 * `instanceof` the ESM class and pass the ESM `isXError()` guard (and the other way round), and
 * for every pair of error classes the cross-copy `instanceof` must answer as the same-copy one.
 */
export const ESM_SMOKE = String.raw`
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const specifiers = JSON.parse(process.argv[2]);
const results = {};
const isErrorClass = (value) => typeof value === 'function' && value.prototype instanceof Error;
function construct(Class) {
  for (const args of [['smoke test'], [], [1], [{}], ['smoke test', {}]]) {
    try {
      const instance = new Class(...args);
      if (instance instanceof Error) return instance;
    } catch {}
  }
  return undefined;
}
for (const specifier of specifiers) {
  let esm;
  try {
    esm = await import(specifier);
  } catch (error) {
    results[specifier] = { ok: false, error: String(error && error.stack || error) };
    continue;
  }
  const result = { ok: true, keys: Object.keys(esm).filter((key) => key !== 'module.exports').sort(), dual: [], dualSkipped: [], dualChecked: [] };
  results[specifier] = result;
  let cjs;
  try {
    cjs = require(specifier);
  } catch (error) {
    result.dual.push('require() failed: ' + String(error && error.message || error));
    continue;
  }
  const classes = Object.keys(esm).filter((name) => isErrorClass(esm[name]) && isErrorClass(cjs[name]));
  const instances = {};
  for (const name of classes) {
    const fromCjs = construct(cjs[name]);
    const fromEsm = construct(esm[name]);
    if (!fromCjs || !fromEsm) { result.dualSkipped.push(name); continue; }
    instances[name] = { fromCjs, fromEsm };
    result.dualChecked.push(name);
    if (!(fromCjs instanceof esm[name])) result.dual.push('new cjs.' + name + '() instanceof esm.' + name + ' is false');
    if (!(fromEsm instanceof cjs[name])) result.dual.push('new esm.' + name + '() instanceof cjs.' + name + ' is false');
    const guard = 'is' + name;
    if (typeof esm[guard] === 'function' && esm[guard](fromCjs) !== true) result.dual.push('esm.' + guard + '(new cjs.' + name + '()) is not true');
    if (typeof cjs[guard] === 'function' && cjs[guard](fromEsm) !== true) result.dual.push('cjs.' + guard + '(new esm.' + name + '()) is not true');
  }
  for (const a of Object.keys(instances)) {
    for (const b of Object.keys(instances)) {
      const same = instances[a].fromEsm instanceof esm[b];
      const cross = instances[a].fromCjs instanceof esm[b];
      if (same !== cross) result.dual.push('new cjs.' + a + '() instanceof esm.' + b + ' is ' + cross + ', but ' + same + ' within one copy');
    }
  }
  if (specifier === '@breakwater/core') {
    const checks = {
      'new cjs.TimeoutError(1) instanceof esm.TimeoutError': () => new cjs.TimeoutError(1) instanceof esm.TimeoutError,
      "esm.isBreakwaterError(new cjs.BreakwaterError('x'))": () => esm.isBreakwaterError(new cjs.BreakwaterError('x')),
      "new cjs.BreakwaterError('x') instanceof esm.BreakwaterError": () => new cjs.BreakwaterError('x') instanceof esm.BreakwaterError,
      "!(new cjs.BreakwaterError('x') instanceof esm.TimeoutError)": () => !(new cjs.BreakwaterError('x') instanceof esm.TimeoutError),
    };
    for (const [label, check] of Object.entries(checks)) {
      let passed = false;
      try { passed = check() === true; } catch (error) { result.dual.push(label + ' threw ' + error); continue; }
      if (!passed) result.dual.push(label + ' is not true');
    }
  }
}
process.stdout.write(JSON.stringify(results));
`;
