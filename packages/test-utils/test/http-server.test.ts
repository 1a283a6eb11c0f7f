import { request } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startHttpServer } from 'breakwater-test-utils';

describe('startHttpServer()', () => {
  it('serves real requests on 127.0.0.1 and an ephemeral port', async () => {
    const http = await startHttpServer((req, res) => res.end(`${req.method} ${req.url}`));
    onTestFinished(() => http.close());
    expect(http.url).toBe(`http://127.0.0.1:${http.port}`);
    expect(http.server.keepAliveTimeout).toBe(0);
    const response = await fetch(`${http.url}/hello?x=1`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('GET /hello?x=1');
  });

  it('close() resolves at once with a request still in flight, and refuses new connections', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const http = await startHttpServer(() => arrived()); // never responds
    const failed = new Promise<Error>((resolve) => {
      const req = request(`${http.url}/hang`, { agent: false }, () => resolve(new Error('unexpected response')));
      req.on('error', resolve);
      req.end();
    });
    await requestArrived;
    await http.close();
    expect(await failed).toMatchObject({ code: 'ECONNRESET' });
    expect(http.server.listening).toBe(false);
    await expect(fetch(http.url)).rejects.toThrow();
    await expect(http.close()).resolves.toBeUndefined(); // idempotent
  });

  it('supports await using', async () => {
    let server: import('node:http').Server;
    {
      await using http = await startHttpServer((_req, res) => res.end('ok'));
      server = http.server;
      expect(server.listening).toBe(true);
    }
    expect(server.listening).toBe(false);
  });
});
