import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * Per-package vitest project: tests import workspace packages through the `@breakwater/source`
 * export condition, so `pnpm test` needs no build first.
 */
export function breakwaterProject(name: string, extra: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return defineProject({
    resolve: { conditions: ['@breakwater/source'] },
    ssr: { resolve: { conditions: ['@breakwater/source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      restoreMocks: true,
      unstubGlobals: true,
      testTimeout: 20_000,
      ...extra,
    },
  });
}
