import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function runScript(script: string): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--conditions=@breakwater/source', '--input-type=module', '-e', script], { cwd: packageDir, timeout: 10_000 }, (_, out, err) =>
      resolve({ code: child.exitCode, out, err, ms: performance.now() - started }),
    );
  });
}

describe('process exit', () => {
  it('nothing keeps the process alive once close() resolved (one lease at most), even with a handler still running', async () => {
    const { code, out, err } = await runScript(`
      import { idempotency, memoryStore } from '@breakwater/idempotency';
      const idem = idempotency({ store: memoryStore(), leaseMs: 300 });
      // A handler that never settles: its renewal timer is the only thing left.
      void idem.run('k', 'fp', () => new Promise(() => {})).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      await idem.close();
      console.log(JSON.stringify(process.getActiveResourcesInfo().filter((r) => r === 'Timeout')));
    `);
    expect(err).toBe('');
    expect(out.trim()).toBe('[]');
    expect(code).toBe(0);
  });
});
