import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * A process that used createFetch() must exit by itself once its calls have settled: the
 * deadline timers are unref'd, an aborted 60 s backoff leaves no timer, a hedge timer is cleared
 * when the primary answers, and discarded bodies hold no socket.
 */
describe('process exit', () => {
  it('exits on its own after a retried call, a hedged call and an aborted backoff', async () => {
    const script = `
      import { createServer } from 'node:http';
      import { createFetch } from './src/index.ts';
      let n = 0;
      const server = createServer((req, res) => {
        if (req.url === '/slow-retry') return void res.writeHead(503, { 'retry-after': '60' }).end('busy');
        res.writeHead(++n === 1 ? 503 : 200).end('x'.repeat(100_000));
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = 'http://127.0.0.1:' + server.address().port;
      const fetch = createFetch({ retry: { baseDelay: 1 }, hedging: { delay: 60_000 } });
      const results = [];
      const first = await fetch(url + '/a');
      results.push(first.status, (await first.text()).length);
      const controller = new AbortController();
      const slow = fetch(url + '/slow-retry', { signal: controller.signal }).catch((e) => e.name);
      fetch.onRetry(() => controller.abort());
      results.push(await slow);
      server.closeAllConnections();
      server.close();
      console.log(JSON.stringify({ results }));
    `;
    const started = Date.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 15_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual({ results: [200, 100_000, 'AbortError'] });
    // The 30 s deadline, the 60 s Retry-After and the 60 s hedge delay would each hold it far longer.
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  it('stays alive for a call in flight: an unref\'d attempt timeout still ends a call to a server that never answers', async () => {
    // The server lives in this process, so nothing but the child's own socket keeps the child alive.
    const server: Server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const script = `
      import { createFetch } from './src/index.ts';
      const fetch = createFetch({ timeout: 2_000, attemptTimeout: 300, retry: false });
      const error = await fetch(${JSON.stringify(url)}).catch((e) => e);
      console.log(JSON.stringify({ name: error.name, timeoutMs: error.timeoutMs }));
    `;
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 15_000 }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
        );
      });
      expect(JSON.parse(stdout)).toEqual({ name: 'TimeoutError', timeoutMs: 300 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
