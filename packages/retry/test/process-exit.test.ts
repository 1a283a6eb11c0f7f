import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A process that used retry() must exit by itself once every call has settled: an aborted
 * 60 s backoff leaves no timer behind (cockatiel's delay would hold the process for 60 s).
 */
describe('process exit', () => {
  it('exits on its own after retries succeed, give up, and an aborted backoff', async () => {
    const script = `
      import { retry } from '@breakwater/retry';
      let calls = 0;
      const quick = retry({ baseDelay: 5 });
      const results = [await quick.execute(() => (++calls < 3 ? Promise.reject(new Error('x')) : 'ok'))];
      results.push(await retry({ maxRetries: 1, baseDelay: 1 }).execute(() => Promise.reject(new Error('down'))).catch((e) => e.message));
      const controller = new AbortController();
      const slow = retry({ baseDelay: 60_000, jitter: 'none' }).execute(() => Promise.reject(new Error('x')), controller.signal).catch(() => 'aborted');
      setImmediate(() => controller.abort());
      results.push(await slow);
      console.log(JSON.stringify({ results, resources: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap') }));
    `;
    const started = Date.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 10_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual({ results: ['ok', 'down', 'aborted'], resources: [] });
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
