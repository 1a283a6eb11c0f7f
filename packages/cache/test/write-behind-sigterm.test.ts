import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/write-behind-child.ts', import.meta.url));
let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a child process that gets SIGTERM mid-stream closes the cache and the sink receives every accepted write', async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-write-behind-'));
  const out = join(dir, 'sink.log');
  const proc = spawn(process.execPath, ['--conditions=@breakwater/source', child, out, '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let signalled = false;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    // Mid-stream: once 20,000 writes were accepted (a backlog is queued behind the slow sink).
    if (!signalled && /accepted (\d+)/.test(stdout) && Number([...stdout.matchAll(/accepted (\d+)/g)].at(-1)![1]) >= 20_000) {
      signalled = true;
      proc.kill('SIGTERM');
    }
  });
  // Real time only as an upper bound against a hang.
  const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref())]);
  if (code === 'hung') proc.kill('SIGKILL');
  expect(code, stderr).toBe(0);
  expect(signalled).toBe(true);

  const done = /done (.*)\n/.exec(stdout);
  expect(done, stdout + stderr).not.toBeNull();
  const report = JSON.parse(done![1]!) as { pendingAtSignal: number; accepted: Record<string, number> };
  expect(report.pendingAtSignal).toBeGreaterThan(0); // the test really interrupted a backlog

  const persisted = new Map<string, number[]>();
  for (const line of (await readFile(out, 'utf8')).split('\n')) {
    if (line === '') continue;
    const [key, value] = line.split(' ');
    const list = persisted.get(key!) ?? [];
    list.push(Number(value));
    persisted.set(key!, list);
  }
  expect(persisted.size).toBe(Object.keys(report.accepted).length);
  for (const [key, last] of Object.entries(report.accepted)) {
    const seen = persisted.get(key)!;
    expect(seen.at(-1), key).toBe(last);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!, key).toBeGreaterThan(seen[i - 1]!);
  }
});
