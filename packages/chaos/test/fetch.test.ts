import { afterEach, describe, expect, it } from 'vitest';
import { chaosFault, chaosFetch, chaosLatency, chaosOutcome, injectedNetworkError, injectedResponse } from '@breakwater/chaos';
import { isRetryableError } from '@breakwater/retry';
import { startHttpServer, type HttpTestServer } from 'breakwater-test-utils';

let server: HttpTestServer | undefined;
let requests = 0;

afterEach(async () => {
  await server?.close();
  server = undefined;
  requests = 0;
});

async function upstream(): Promise<string> {
  server = await startHttpServer((_req, res) => {
    requests++;
    res.end('real');
  });
  return server.url;
}

describe('chaosFetch()', () => {
  it('passes requests through to the real server when nothing is injected', async () => {
    const url = await upstream();
    const chaotic = chaosFetch(chaosOutcome({ injectionRate: 0, outcome: () => injectedResponse(503) }));
    const response = await chaotic(`${url}/a`);
    expect(await response.text()).toBe('real');
    expect(requests).toBe(1);
  });

  it('answers with an injected 503 and its headers without reaching the server', async () => {
    const url = await upstream();
    const chaotic = chaosFetch(chaosOutcome({ injectionRate: 1, outcome: () => injectedResponse(503, { 'retry-after': '2' }) }));
    const response = await chaotic(new Request(`${url}/a`));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(requests).toBe(0);
  });

  it('throws the network error undici throws, which retry classifies as retryable', async () => {
    const url = await upstream();
    const chaotic = chaosFetch([chaosFault({ injectionRate: 1, fault: () => injectedNetworkError() })]);
    const error = await chaotic(`${url}/a`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET' } });
    expect(isRetryableError(error)).toBe(true);
    expect(requests).toBe(0);
  });

  it('hands the caller’s signal to the policies: an abort during injected latency cancels the request', async () => {
    const url = await upstream();
    const chaotic = chaosFetch(chaosLatency({ injectionRate: 1, latency: 60_000 }));
    const controller = new AbortController();
    const pending = chaotic(`${url}/a`, { signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    expect(requests).toBe(0);
  });
});
