import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(([, code]) => code!);

describe('README', () => {
  it('the first example runs as printed: retry absorbs the injected faults', () => {
    // Inside the package, so its imports resolve to the workspace sources.
    const dir = mkdtempSync(join(packageDir, 'test', '.readme-'));
    try {
      const file = join(dir, 'example.ts');
      writeFileSync(file, examples[0]!);
      const output = execFileSync(process.execPath, ['--conditions=@breakwater/source', file], {
        env: { ...process.env, CHAOS: 'on' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(output.trim()).toBe('100 of 100 calls served');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
