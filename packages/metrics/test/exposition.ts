import type { Registry } from 'prom-client';

/**
 * Parses the text exposition back into `{ 'name{a="1",b="2"}': value }`, labels sorted by name,
 * so a test asserts exact series and values rather than substrings.
 */
export function parseExposition(text: string): Record<string, number> {
  const samples: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`Unparsable exposition line: ${line}`);
    const [, name, labelText = '', value] = match;
    const labels = [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    samples[`${name}${labels.length > 0 ? `{${labels.join(',')}}` : ''}`] = Number(value);
  }
  return samples;
}

/** Every sample of the registry whose metric name is exactly `name`. */
export async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const all = parseExposition(await registry.metrics());
  return Object.fromEntries(Object.entries(all).filter(([key]) => key === name || key.startsWith(`${name}{`)));
}

/** The names of the metrics a registry exposes (from its `# TYPE` lines). */
export async function metricNames(registry: Registry): Promise<string[]> {
  return [...(await registry.metrics()).matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name!).sort();
}
