import { defineConfig, type Options } from 'tsup';

/**
 * One build policy for every public package: ESM + CJS + .d.ts/.d.cts per entry, Node 22 target.
 * `entry` maps output names to sources, e.g. `{ index: 'src/index.ts', 'redis/index': 'src/redis/index.ts' }`.
 */
export function defineBreakwaterBuild(entry: Record<string, string>): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    splitting: false,
    treeshake: true,
  };
  return defineConfig(options);
}
