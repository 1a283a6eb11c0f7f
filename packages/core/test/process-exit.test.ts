import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A process that used the policies must exit by itself: no timer or listener keeps it alive
 * after every call has settled (cockatiel's runInChild idea, run against the sources).
 */
describe('process exit', () => {
  it('exits on its own after timeouts fire, calls succeed and delays are aborted', async () => {
    const script = `
      import { timeout, abortableDelay, wrap, fallback } from '@breakwater/core';
      const policy = wrap(fallback({ fallback: () => 'fb' }), timeout(50));
      const results = await Promise.all([
        policy.execute(() => 'ok'),
        policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))),
      ]);
      const controller = new AbortController();
      const delayed = abortableDelay(60_000, controller.signal).catch(() => 'aborted');
      controller.abort();
      results.push(await delayed);
      console.log(JSON.stringify({ results, resources: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap') }));
    `;
    const started = Date.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 10_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual({ results: ['ok', 'fb', 'aborted'], resources: [] });
    // Exiting promptly proves no 60 s timer stayed behind.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
