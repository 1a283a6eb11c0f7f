import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS } from '@breakwater/metrics';

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('lists every metric with its type and labels', () => {
    for (const { name, type, labelNames } of Object.values(METRIC_DEFINITIONS)) {
      const labels = labelNames.map((l) => `\`${l}\``).join(', ');
      expect(readme).toContain(`| \`breakwater_${name}\` | ${type} | ${labels} |`);
    }
  });
});
