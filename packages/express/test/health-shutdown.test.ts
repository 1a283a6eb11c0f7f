import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shutdownUnderLoad } from 'breakwater-test-utils';

const CHILD = fileURLToPath(new URL('./health-child.ts', import.meta.url));

describe('gracefulShutdown() in a real Express process', () => {
  it('under 500 req/s, SIGTERM fails readiness while liveness stays 200, every request succeeds, resources close last-first, exit code 0', async () => {
    // The shared scenario asserts no request failed, readiness flipped while liveness stayed 200,
    // and slow requests were answered during the drain; what this app closes, and how, is ours.
    const { exit, lines, stderr } = await shutdownUnderLoad(CHILD);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lines).toEqual([
      'phase started',
      'phase draining',
      'phase drained',
      'closed cache',
      'phase resource-closed cache',
      'closed redis',
      'phase resource-closed redis',
      'phase exit',
    ]);
    expect(stderr).toBe('');
  });
});
