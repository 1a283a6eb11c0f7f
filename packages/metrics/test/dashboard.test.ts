import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS } from '@breakwater/metrics';

const dashboard = JSON.parse(readFileSync(new URL('../dashboards/breakwater-policies.json', import.meta.url), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
// A histogram is queried through its series suffixes.
const charted = new Set(exprs.flatMap((expr) => [...expr.matchAll(/\bbreakwater_([a-z0-9_]+?)(?:_bucket|_count|_sum)?\b(?=[{[\s)])/g)].map(([, name]) => name!)));
const defined = new Set<string>(Object.values(METRIC_DEFINITIONS).map((definition) => definition.name));

describe('the Grafana dashboard', () => {
  it('charts only metrics the package defines, under their default names', () => {
    expect([...charted].filter((name) => !defined.has(name))).toEqual([]);
  });

  it('charts every metric the package defines', () => {
    expect([...defined].filter((name) => !charted.has(name))).toEqual([]);
  });
});
