import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from 'breakwater-test-utils';

describe('freePort()', () => {
  it('returns a loopback port that can be listened on right away', async () => {
    const port = await freePort();
    expect(Number.isInteger(port)).toBe(true);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, resolve);
    });
    expect(server.address()).toMatchObject({ port });
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves no listening handle behind', async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    await Promise.all([freePort(), freePort(), freePort()]);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length).toBe(before);
  });
});
