import { request as httpRequest, type Agent } from 'node:http';

/** Reads a response as `{ status, headers, body }` with the body parsed as JSON when it is JSON. */
export async function read(res: globalThis.Response): Promise<{ status: number; type: string | null; retryAfter: string | null; body: unknown }> {
  const text = await res.text();
  const type = res.headers.get('content-type');
  return { status: res.status, type, retryAfter: res.headers.get('retry-after'), body: type?.includes('json') ? JSON.parse(text) : text };
}

/** A GET through node:http, for tests that need one keep-alive socket (`new Agent({ keepAlive: true, maxSockets: 1 })`). */
export function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
